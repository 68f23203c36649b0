// The onboarding on the device, over a fake host and clock: decided once, timed out with the rest in the background,
// retried, resumed after a restart with its own deadline, paused while offline, and never shown for a stale enrollment.
import { describe, expect, it } from 'vitest';
import type { InstallProgress } from '../../src/shared/agent-service-contract';
import type { DeviceEvent } from '../../src/shared/protocol';
import { memoryOnboardingStore } from '../../src/agent/service/agent-onboarding';
import { OnboardingController, type EnrollmentFacts, type OnboardingStore } from '../../src/agent/onboarding/onboarding-controller';
import type { OnboardingApp } from '../../src/agent/onboarding/onboarding-steps';
import { FakeClock } from './scheduler-fake-clock';

const START = new Date('2026-12-02T09:00:00.000Z');
const APPS: OnboardingApp[] = [
  { id: 'office', name: 'Office', priority: 'high', type: 'pkg' },
  { id: 'store-app', name: 'Keynote', priority: 'high', type: 'app-store' },
  { id: 'xcode', name: 'Xcode', priority: 'high', type: 'packager' },
];
const FACTS: EnrollmentFacts = {
  settings: { enabled: true, timeoutSeconds: 120, landingPageUrl: 'https://intranet.example.com/welcome', startWindowMinutes: 20 },
  enrollmentMethod: 'automated',
  enrolledAt: '2026-12-02T08:59:00.000Z',
};

const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
};

function install(appId: string, phase: InstallProgress['phase'], message: string | null = null): InstallProgress {
  return { appId, name: appId, version: '1.0', phase, receivedBytes: 0, totalBytes: 0, message, startedAt: START.toISOString(), endedAt: null };
}

function device(store: OnboardingStore = memoryOnboardingStore(), clock = new FakeClock(START)) {
  const installs: string[] = [];
  const logs: DeviceEvent[] = [];
  const opened: string[] = [];
  const errors: string[] = [];
  const controller = new OnboardingController({
    clock,
    logger: { info: () => undefined, warn: () => undefined, error: (message) => errors.push(message) },
    store,
    listApps: async () => APPS,
    install: async (appId) => void installs.push(appId),
    log: async (event) => void logs.push(event),
    openLandingPage: (url) => void opened.push(url),
  });
  return { controller, clock, store, installs, logs, opened, errors, advance: (ms: number) => clock.advance(ms, settle) };
}

describe('onboarding on the device', () => {
  it('starts after the first check-in of an automated enrollment: configurations done, App Store apps skipped, the package installing', async () => {
    const mac = device();
    await mac.controller.afterCheckin(FACTS);
    const view = await mac.controller.view();
    expect(view?.steps.map((step) => [step.key, step.status])).toEqual([
      ['configurations', 'done'],
      ['app:office', 'pending'],
      ['app:store-app', 'skipped'],
    ]);
    expect(view?.backgroundApps).toEqual([{ appId: 'xcode', appName: 'Xcode' }]);
    expect(view?.remainingSeconds).toBe(120);
    expect(mac.installs).toEqual(['office']);
    expect(mac.logs.map((event) => event.type)).toEqual(['onboarding.started', 'onboarding.step', 'onboarding.step']);
    expect(mac.logs[0]?.message).toBe('Onboarding started: 3 steps, 1 apps in the background, 120 s to go.');
  });

  it('times out with the package still installing, opens the landing page, and keeps the step going in the background', async () => {
    const mac = device();
    await mac.controller.afterCheckin(FACTS);
    await mac.controller.installsChanged([install('office', 'downloading')]);
    await mac.advance(60_000);
    expect((await mac.controller.view())?.remainingSeconds).toBe(60);
    await mac.advance(60_000);
    const view = await mac.controller.view();
    expect(view?.outcome).toBe('timed-out');
    expect(view?.end).toEqual({ kind: 'landing-page', url: 'https://intranet.example.com/welcome' });
    expect(mac.opened).toEqual(['https://intranet.example.com/welcome']);
    await mac.controller.installsChanged([install('office', 'installed')]);
    expect((await mac.controller.view())?.steps[1]).toMatchObject({ status: 'done' });
    expect((await mac.controller.view())?.outcome).toBe('timed-out');
    expect(mac.clock.pendingTimers()).toBe(0);
  });

  it('shows a failed install in the summary, retries it on request, then opens the landing page', async () => {
    const mac = device();
    await mac.controller.afterCheckin(FACTS);
    await mac.controller.installsChanged([install('office', 'failed', 'The installer said the disk is full.')]);
    const failed = await mac.controller.view();
    expect(failed?.outcome).toBe('finished-with-failures');
    expect(failed?.end).toEqual({ kind: 'summary', canRetry: true, landingPageUrl: 'https://intranet.example.com/welcome' });
    expect(mac.opened).toEqual([]);
    const retried = await mac.controller.retry();
    expect(retried?.steps[1]).toMatchObject({ status: 'pending', attempt: 2, failureMessage: null });
    expect(mac.installs).toEqual(['office', 'office']);
    await mac.controller.installsChanged([install('office', 'installing')]);
    expect((await mac.controller.view())?.outcome).toBe('finished');
    expect(mac.opened).toEqual(['https://intranet.example.com/welcome']);
    expect(await mac.controller.finish()).toBeNull();
    expect(await mac.controller.view()).toBeNull();
  });

  it('opens the landing page behind a failed summary when the user continues, once', async () => {
    const mac = device();
    await mac.controller.afterCheckin(FACTS);
    await mac.controller.installsChanged([install('office', 'failed', 'The installer said the disk is full.')]);
    expect(mac.opened).toEqual([]);
    expect(await mac.controller.finish()).toBeNull();
    expect(await mac.controller.finish()).toBeNull();
    expect(mac.opened).toEqual(['https://intranet.example.com/welcome']);
  });

  it('closes the kiosk for good when the administrator leaves it, logs it, and opens no landing page at the end', async () => {
    const mac = device();
    const seen: unknown[] = [];
    mac.controller.onChanged((view) => seen.push(view));
    await mac.controller.afterCheckin(FACTS);
    await mac.controller.leaveKiosk();
    expect(await mac.controller.view()).toBeNull();
    expect(seen.at(-1)).toBeNull();
    const left = mac.logs.find((event) => event.type === 'onboarding.left');
    expect(left?.data).toEqual({ outcome: 'running', done: 1, failed: 0, total: 3 });
    expect(left?.message).toBe('An administrator left the onboarding screen with the key combination while it was running (1 of 3 steps done); the rest goes on in the background.');
    // The step goes on in the background and onboarding still ends in the log, but nothing opens in the administrator's face.
    await mac.controller.installsChanged([install('office', 'installed')]);
    expect(mac.logs.at(-1)?.type).toBe('onboarding.ended');
    expect(mac.opened).toEqual([]);
    await mac.controller.leaveKiosk();
    expect(mac.logs.filter((event) => event.type === 'onboarding.left')).toHaveLength(1);
    const restarted = device(mac.store);
    expect(await restarted.controller.view()).toBeNull();
  });

  it('refuses a retry with nothing failed, in one sentence', async () => {
    const mac = device();
    await mac.controller.afterCheckin(FACTS);
    await expect(mac.controller.retry()).rejects.toThrow('no onboarding step failed, so there is nothing to retry');
  });

  it('resumes after a restart at the step it was on, with the deadline it had, and times out if that passed while down', async () => {
    const store = memoryOnboardingStore();
    const first = device(store);
    await first.controller.afterCheckin(FACTS);
    await first.controller.installsChanged([install('office', 'downloading')]);
    await first.controller.stop();

    const clock = new FakeClock(new Date(START.getTime() + 30_000));
    const again = device(store, clock);
    const resumed = await again.controller.view();
    expect(resumed?.steps[1]).toMatchObject({ key: 'app:office', status: 'running' });
    expect(resumed?.remainingSeconds).toBe(90);
    // The install under way died with the agent: it is started again, once, and a later check-in decides nothing anew.
    expect(again.installs).toEqual(['office']);
    expect(again.logs.map((event) => [event.type, event.message])).toEqual([['onboarding.resumed', 'Onboarding resumed after the agent restarted; 1 installs started again.']]);
    await again.controller.afterCheckin(FACTS);
    expect(again.installs).toEqual(['office']);

    const late = device(store, new FakeClock(new Date(START.getTime() + 600_000)));
    expect((await late.controller.view())?.outcome).toBe('timed-out');
  });

  it('stops the clock while the network is lost, and goes on once a check-in gets through', async () => {
    const mac = device();
    await mac.controller.afterCheckin(FACTS);
    await mac.controller.networkLost();
    expect((await mac.controller.view())?.offline).toBe(true);
    await mac.advance(300_000);
    expect((await mac.controller.view())?.outcome).toBe('running');
    await mac.controller.afterCheckin(FACTS);
    const back = await mac.controller.view();
    expect(back?.offline).toBe(false);
    expect(back?.remainingSeconds).toBe(120);
    expect(mac.logs.map((event) => event.type)).toEqual(expect.arrayContaining(['onboarding.offline', 'onboarding.online']));
  });

  it.each([
    ['an enrollment 21 minutes old', { enrolledAt: '2026-12-02T08:39:00.000Z' }],
    ['a PIN enrollment', { enrollmentMethod: 'pin' as const }],
    ['onboarding off', { settings: { ...FACTS.settings, enabled: false } }],
  ])('shows nothing for %s, and decides it once for good', async (_what, facts) => {
    const mac = device();
    await mac.controller.afterCheckin({ ...FACTS, ...facts });
    expect(await mac.controller.view()).toBeNull();
    expect(await mac.store.read()).toEqual({ decided: true, state: null, shown: false });
    await mac.controller.afterCheckin(FACTS);
    expect(await mac.controller.view()).toBeNull();
    expect(mac.installs).toEqual([]);
  });

  it('shows no kiosk for a kept onboarding it cannot read, and says why in the log', async () => {
    const store = memoryOnboardingStore();
    await store.write({ decided: true, state: { format: 1, outcome: 'running' } as never, shown: true });
    const mac = device(store);
    expect(await mac.controller.view()).toBeNull();
    expect(mac.errors).toEqual(['the kept onboarding is unusable; it is not shown again']);
  });
});
