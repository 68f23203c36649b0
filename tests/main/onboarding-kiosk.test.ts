// The kiosk window following the agent's onboarding: opened on top of everything when there is one to show, not
// closable, its window shortcuts swallowed, left by the administrator's combination (logged by the agent), and
// replaced by the usual window once onboarding is over.
import { describe, expect, it } from 'vitest';
import { OnboardingKiosk, type KioskAgent } from '../../src/main/onboarding-kiosk';
import type { OnboardingView } from '../../src/shared/onboarding-view';
import { FakeBrowserWindow } from './fake-browser-window';

const RUNNING: OnboardingView = {
  outcome: 'running',
  offline: false,
  remainingSeconds: 120,
  progress: { done: 1, failed: 0, skipped: 0, total: 2, fraction: 0.5 },
  steps: [
    { key: 'configurations', kind: 'configurations', appName: null, status: 'done', attempt: 1, failureMessage: null },
    { key: 'app:office', kind: 'app', appName: 'Office', status: 'running', attempt: 1, failureMessage: null },
  ],
  backgroundApps: [],
  end: null,
};

class FakeAgent implements KioskAgent {
  left = 0;
  private readonly listeners = new Set<(view: OnboardingView | null) => void>();

  constructor(public view: OnboardingView | null) {}

  async getOnboarding(): Promise<OnboardingView | null> {
    return this.view;
  }

  onOnboardingChanged(listener: (view: OnboardingView | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async leaveOnboardingKiosk(): Promise<void> {
    this.left++;
    this.change(null);
  }

  change(view: OnboardingView | null): void {
    this.view = view;
    for (const listener of this.listeners) listener(view);
  }
}

function kiosk(agent: FakeAgent) {
  const windows: FakeBrowserWindow[] = [];
  const events: string[] = [];
  const logs: string[] = [];
  const presenter = new OnboardingKiosk({
    agent,
    createWindow: (kind) => {
      const window = new FakeBrowserWindow({}, 700 + windows.length);
      windows.push(window);
      events.push(`create ${kind}`);
      return window.asBrowserWindow();
    },
    onOpened: () => events.push('opened'),
    onClosed: () => events.push('closed'),
    log: (message) => logs.push(message),
    platform: 'darwin',
  });
  return { presenter, windows, events, logs };
}

function key(window: FakeBrowserWindow, input: { key: string; code: string; meta?: boolean; control?: boolean; alt?: boolean; shift?: boolean; type?: string }): boolean {
  let prevented = false;
  const full = { type: 'keyDown', meta: false, control: false, alt: false, shift: false, ...input };
  window.webContents.emit('before-input-event', { preventDefault: () => (prevented = true) }, full);
  return prevented;
}

describe('the onboarding kiosk window', () => {
  it('opens no kiosk when there is no onboarding to show', async () => {
    const mac = kiosk(new FakeAgent(null));
    await mac.presenter.start();
    expect(mac.presenter.active).toBe(false);
    expect(mac.events).toEqual([]);
  });

  it('opens the kiosk window on top of everything, on every Space, without a menu, when onboarding runs at start', async () => {
    const mac = kiosk(new FakeAgent(RUNNING));
    await mac.presenter.start();
    expect(mac.events).toEqual(['create kiosk', 'opened']);
    expect(mac.windows[0]?.calls).toEqual([['setAlwaysOnTop', true, 'screen-saver'], ['setVisibleOnAllWorkspaces', true, { visibleOnFullScreen: true }], ['removeMenu']]);
    expect(mac.presenter.active).toBe(true);
  });

  it('cannot be closed by the user, and swallows Command-Q, -W, -H and -M but not typing', async () => {
    const mac = kiosk(new FakeAgent(RUNNING));
    await mac.presenter.start();
    const window = mac.windows[0]!;
    expect(window.tryClose()).toBe(true);
    for (const letter of ['q', 'w', 'h', 'm']) expect(key(window, { key: letter, code: `Key${letter.toUpperCase()}`, meta: true })).toBe(true);
    expect(key(window, { key: 'a', code: 'KeyA' })).toBe(false);
    expect(key(window, { key: 'Tab', code: 'Tab' })).toBe(false);
    expect(window.destroyed).toBe(false);
  });

  it('opens when onboarding starts after the first check-in, and closes for the usual window when it is over', async () => {
    const agent = new FakeAgent(null);
    const mac = kiosk(agent);
    await mac.presenter.start();
    agent.change(RUNNING);
    agent.change({ ...RUNNING, remainingSeconds: 119 });
    expect(mac.windows).toHaveLength(1);
    agent.change(null);
    expect(mac.events).toEqual(['create kiosk', 'opened', 'closed']);
    expect(mac.windows[0]?.calls.slice(-2)).toEqual([['setKiosk', false], ['destroy']]);
    expect(mac.presenter.active).toBe(false);
  });

  it('leaves on the administrator combination: the agent is told (it logs it to the device log) and the kiosk closes', async () => {
    const agent = new FakeAgent(RUNNING);
    const mac = kiosk(agent);
    await mac.presenter.start();
    const window = mac.windows[0]!;
    expect(key(window, { key: '˚', code: 'KeyK', meta: true, control: true, alt: true })).toBe(false);
    expect(agent.left).toBe(0);
    expect(key(window, { key: '', code: 'KeyK', meta: true, control: true, alt: true, shift: true })).toBe(true);
    await expect.poll(() => window.destroyed).toBe(true);
    expect(agent.left).toBe(1);
    expect(mac.logs).toEqual(['An administrator pressed the key combination that leaves the onboarding kiosk.']);
    expect(mac.events.at(-1)).toBe('closed');
  });

  it('keeps a change that came while it asked for the view at start', async () => {
    const agent = new FakeAgent(RUNNING);
    const mac = kiosk(agent);
    const started = mac.presenter.start();
    agent.change(null);
    await started;
    expect(mac.presenter.active).toBe(false);
    expect(mac.events).toEqual([]);
  });
});
