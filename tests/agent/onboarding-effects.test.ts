// The onboarding's effects as a table of event sequences: the device log events, the installs through the catalog's
// path (steps' packages first, then the background apps), the landing page at the end.
import { describe, expect, it } from 'vitest';
import { onboardingEffects, resumeEffects, stepOnboarding, type OnboardingEffect, type OnboardingLogType } from '../../src/agent/onboarding/onboarding-effects';
import type { OnboardingEvent, OnboardingState } from '../../src/agent/onboarding/onboarding-machine';
import { run, SECOND, started, T0 } from './onboarding-fixture';

/** Every effect of `events` after the start, in order. */
function effectsOf(state: OnboardingState, events: OnboardingEvent[]): OnboardingEffect[] {
  const effects: OnboardingEffect[] = [];
  for (const event of events) {
    const step = stepOnboarding(state, event);
    effects.push(...step.effects);
    state = step.state;
  }
  return effects;
}

const log = (type: OnboardingLogType, data: Record<string, string | number | boolean | null>): OnboardingEffect => ({ kind: 'log', type, data });
const stepLog = (step: string, name: string | null, status: string, attempt = 1, failure: string | null = null): OnboardingEffect => log('onboarding.step', { step, name, status, attempt, failure });

describe('onboarding effects', () => {
  it('at the start: a log event and the install of the step package; the Packager app is the MDM server\'s', () => {
    expect(onboardingEffects(null, started())).toEqual([
      log('onboarding.started', { steps: 3, backgroundApps: 1, timeoutSeconds: 120 }),
      { kind: 'install', appId: 'office' },
    ]);
  });

  const LANDING = { landingPageUrl: 'https://intranet.example.com/welcome' };
  it.each<[string, Partial<{ landingPageUrl: string | null }>, OnboardingEvent[], OnboardingEffect[]]>([
    [
      'a walk through every step to the landing page',
      LANDING,
      [{ type: 'configurationsApplied' }, { type: 'appInstalled', appId: 'slack' }, { type: 'appDownloadStarted', appId: 'office' }, { type: 'appInstallStarted', appId: 'office' }],
      [
        stepLog('configurations', null, 'done'),
        stepLog('app:slack', 'Slack', 'done'),
        stepLog('app:office', 'Microsoft Office', 'running'),
        stepLog('app:office', 'Microsoft Office', 'done'),
        log('onboarding.ended', { outcome: 'finished', done: 3, failed: 0, skipped: 0, total: 3 }),
        { kind: 'openLandingPage', url: 'https://intranet.example.com/welcome' },
      ],
    ],
    [
      'a failure, the summary instead of the landing page, then a retry that installs the package again',
      LANDING,
      [
        { type: 'configurationsApplied' },
        { type: 'appInstalled', appId: 'slack' },
        { type: 'appInstallFailed', appId: 'office', message: 'The installer said the disk is full.' },
        { type: 'retryFailed', now: T0 + 30 * SECOND },
        { type: 'appInstalled', appId: 'office' },
      ],
      [
        stepLog('configurations', null, 'done'),
        stepLog('app:slack', 'Slack', 'done'),
        stepLog('app:office', 'Microsoft Office', 'failed', 1, 'The installer said the disk is full.'),
        log('onboarding.ended', { outcome: 'finished-with-failures', done: 2, failed: 1, skipped: 0, total: 3 }),
        log('onboarding.retried', { failedSteps: 1 }),
        stepLog('app:office', 'Microsoft Office', 'pending', 2),
        { kind: 'install', appId: 'office' },
        stepLog('app:office', 'Microsoft Office', 'done', 2),
        log('onboarding.ended', { outcome: 'finished', done: 3, failed: 0, skipped: 0, total: 3 }),
        { kind: 'openLandingPage', url: 'https://intranet.example.com/welcome' },
      ],
    ],
    [
      'a lost network and the timeout, with no landing page',
      { landingPageUrl: null },
      [{ type: 'networkLost', now: T0 + 5 * SECOND }, { type: 'networkRestored', now: T0 + 15 * SECOND }, { type: 'tick', now: T0 + 130 * SECOND }],
      [log('onboarding.offline', {}), log('onboarding.online', {}), log('onboarding.ended', { outcome: 'timed-out', done: 0, failed: 0, skipped: 0, total: 3 })],
    ],
  ])('%s', (_what, settings, events, expected) => {
    expect(effectsOf(started({}, settings), events)).toEqual(expected);
  });

  it('does nothing for an event that changes nothing', () => {
    const state = started();
    expect(stepOnboarding(state, { type: 'appInstalled', appId: 'unknown' })).toEqual({ state, effects: [] });
    expect(stepOnboarding(state, { type: 'tick', now: T0 + SECOND }).effects).toEqual([]);
  });
});

describe('after a restart', () => {
  const resumed = (state: OnboardingState) => resumeEffects(state);

  it('installs again each package step that was not installed yet while onboarding runs', () => {
    const state = run(started(), { type: 'appDownloadStarted', appId: 'office' });
    expect(resumed(state)).toEqual([log('onboarding.resumed', { unsettledSteps: 1 }), { kind: 'install', appId: 'office' }]);
  });

  it('after the end, installs again a package whose installer had started, and one still going on after a timeout', () => {
    const finished = run(started(), { type: 'configurationsApplied' }, { type: 'appInstalled', appId: 'slack' }, { type: 'appInstallStarted', appId: 'office' });
    expect(finished.outcome).toBe('finished');
    expect(resumed(finished)).toEqual([log('onboarding.resumed', { unsettledSteps: 1 }), { kind: 'install', appId: 'office' }]);
    expect(resumed(run(finished, { type: 'appInstalled', appId: 'office' }))).toEqual([]);
    const timedOut = run(started(), { type: 'tick', now: T0 + 200 * SECOND });
    expect(timedOut.outcome).toBe('timed-out');
    expect(resumed(timedOut)).toEqual([log('onboarding.resumed', { unsettledSteps: 1 }), { kind: 'install', appId: 'office' }]);
  });
});
