// The kiosk onboarding reducer (issue 12), by example: start decision, steps, the end, timeout, retry, lost network, resume and progress.
import { describe, expect, it } from 'vitest';
import {
  canRetry,
  decideOnboarding,
  endScreen,
  progress,
  reduceOnboarding,
  remainingMs,
  resumeOnboarding,
  stepsInBackground,
  type OnboardingState,
} from '../../src/agent/onboarding/onboarding-machine';
import { allDone, deepFreeze, input, MINUTE, office, run, SECOND, slack, started, statuses, T0, xcode, zoom } from './onboarding-fixture';


describe('whether onboarding starts', () => {
  it('starts after an automated enrollment two minutes ago, with the deadline two minutes out', () => {
    const state = started();
    expect(state.outcome).toBe('running');
    expect(state.startedAt).toBe(T0);
    expect(state.deadline).toBe(T0 + 120 * SECOND);
    expect(remainingMs(state, T0 + 30 * SECOND)).toBe(90 * SECOND);
    expect(state.offline).toBe(false);
  });

  it('does not start when disabled, after a PIN enrollment, or for an enrollment 21 minutes old with the default 20', () => {
    expect(decideOnboarding(input({}, { enabled: false }))).toEqual({ started: false, reason: 'disabled' });
    expect(decideOnboarding(input({ enrollmentMethod: 'pin' }, { enabled: false }))).toEqual({ started: false, reason: 'disabled' });
    expect(decideOnboarding(input({ enrollmentMethod: 'pin' }))).toEqual({ started: false, reason: 'not-automated' });
    expect(decideOnboarding(input({ enrolledAt: T0 - 21 * MINUTE }))).toEqual({ started: false, reason: 'window-passed' });
    expect(decideOnboarding(input({ enrolledAt: T0 - 20 * MINUTE - 1 }))).toEqual({ started: false, reason: 'window-passed' });
  });

  it('still starts at exactly the window, for a wider window, and when the clock went back a little since enrollment', () => {
    expect(decideOnboarding(input({ enrolledAt: T0 - 20 * MINUTE })).started).toBe(true);
    expect(decideOnboarding(input({ enrolledAt: T0 - 21 * MINUTE }, { startWindowMinutes: 30 })).started).toBe(true);
    expect(decideOnboarding(input({ enrolledAt: T0 + 5 * MINUTE })).started).toBe(true);
  });

  it('does not start when the clock was set back further than the window, since the enrollment may be old', () => {
    expect(decideOnboarding(input({ enrolledAt: T0 + 3 * 24 * 60 * MINUTE }))).toEqual({ started: false, reason: 'window-passed' });
  });

  it('shows no landing page but https://', () => {
    expect(started({}, { landingPageUrl: 'http://intranet.example.com/welcome' }).landingPageUrl).toBeNull();
    expect(started({}, { landingPageUrl: 'https://intranet.example.com/welcome' }).landingPageUrl).toBe('https://intranet.example.com/welcome');
  });
});

describe('steps', () => {
  it('are the configurations, then each high-priority non-Packager app in order; Packager apps install in the background, normal-priority apps are no part of it', () => {
    const state = started({ apps: [xcode, office, zoom, slack, { ...office, name: 'Office again' }] });
    expect(progress(state).steps.map((step) => [step.key, step.appName, step.status])).toEqual([
      ['configurations', null, 'pending'],
      ['app:office', 'Microsoft Office', 'pending'],
      ['app:slack', 'Slack', 'pending'],
    ]);
    expect(state.backgroundApps).toEqual([
      { appId: 'xcode', appName: 'Xcode', appType: 'packager', reason: 'packager' },
    ]);
  });

  it('with no app at all is the configurations step alone', () => {
    const state = started({ apps: [] });
    expect(state.steps).toEqual([{ kind: 'configurations', status: 'pending', failureMessage: null, attempt: 1 }]);
    expect(run(state, { type: 'configurationsApplied' }).outcome).toBe('finished');
  });

  it('move pending → running → done, an app counting as installed once its installation started', () => {
    let state = started();
    state = run(state, { type: 'configurationsStarted' }, { type: 'appDownloadStarted', appId: 'office' });
    expect(statuses(state)).toEqual(['running', 'pending', 'running']);
    state = run(state, { type: 'appInstallStarted', appId: 'office' });
    expect(statuses(state)).toEqual(['running', 'pending', 'done']);
    state = run(state, { type: 'appInstalled', appId: 'slack' }, { type: 'configurationsFailed', message: 'profile rejected' });
    expect(statuses(state)).toEqual(['failed', 'done', 'done']);
    expect(state.steps[0]).toEqual({ kind: 'configurations', status: 'failed', failureMessage: 'profile rejected', attempt: 1 });
    expect(state.outcome).toBe('finished-with-failures');
  });

  it('stay settled: a repeated or late report changes nothing once the installer finished', () => {
    const state = run(started(), { type: 'appInstallStarted', appId: 'office' }, { type: 'appInstalled', appId: 'office' }, { type: 'appInstallFailed', appId: 'slack', message: 'disk full' });
    expect(run(state, { type: 'appInstallFailed', appId: 'office', message: 'postinstall failed' })).toBe(state);
    expect(run(state, { type: 'appInstalled', appId: 'slack' })).toBe(state);
    expect(run(state, { type: 'appDownloadStarted', appId: 'office' })).toBe(state);
    expect(run(state, { type: 'appInstallStarted', appId: 'office' })).toBe(state);
  });

  it('count an app as installed once its installer started, and still fail it when the installer then fails', () => {
    let state = run(started(), { type: 'configurationsApplied' }, { type: 'appInstalled', appId: 'slack' }, { type: 'appInstallStarted', appId: 'office' });
    expect(state.outcome).toBe('finished');
    expect(state.steps[2]).toMatchObject({ status: 'done', installing: true });
    expect(run(state, { type: 'appDownloadStarted', appId: 'office' })).toBe(state);
    state = run(state, { type: 'appInstallFailed', appId: 'office', message: 'The installer said the disk is full.' });
    expect(state.steps[2]).toMatchObject({ status: 'failed', installing: false, failureMessage: 'The installer said the disk is full.' });
    // The landing page was shown; what is shown now is the summary with Retry, and a kept state that resumes.
    expect(state.outcome).toBe('finished-with-failures');
    expect(endScreen(state)).toMatchObject({ kind: 'summary', canRetry: true });
    expect(resumeOnboarding(JSON.parse(JSON.stringify(state)), T0 + MINUTE).ok).toBe(true);
    const installed = run(started(), { type: 'appInstallStarted', appId: 'office' }, { type: 'appInstalled', appId: 'office' });
    expect(installed.steps[2]).toMatchObject({ status: 'done', installing: false });
  });

  it('ignore reports about unknown and background apps, returning the same state, and never change the state given', () => {
    const state = deepFreeze(started());
    for (const event of [{ type: 'appInstalled', appId: 'unknown' }, { type: 'appInstallFailed', appId: 'xcode', message: 'x' }, { type: 'appDownloadStarted', appId: 'zoom' }] as const) {
      expect(reduceOnboarding(state, event)).toBe(state);
    }
    const next = run(state, ...allDone);
    expect(next.outcome).toBe('finished');
    expect(statuses(state)).toEqual(['pending', 'pending', 'pending']);
  });
});

describe('the end', () => {
  it('two high-priority apps and a background Packager app walk through to the landing page', () => {
    let state = started({ apps: [slack, xcode, office] }, { landingPageUrl: 'https://intranet.example.com/welcome' });
    expect(endScreen(state)).toBeNull();
    state = run(state, { type: 'configurationsStarted' }, { type: 'configurationsApplied' }, { type: 'appDownloadStarted', appId: 'slack' }, { type: 'appInstalled', appId: 'slack' }, { type: 'tick', now: T0 + 60 * SECOND });
    expect(progress(state)).toMatchObject({ done: 2, failed: 0, total: 3, fraction: 2 / 3 });
    state = run(state, { type: 'appInstallStarted', appId: 'office' });
    expect(state.outcome).toBe('finished');
    expect(progress(state)).toMatchObject({ done: 3, failed: 0, total: 3, fraction: 1 });
    expect(endScreen(state)).toEqual({ kind: 'landing-page', url: 'https://intranet.example.com/welcome' });
    expect(run(state, { type: 'tick', now: T0 + 10 * MINUTE })).toBe(state);
  });

  it('without a landing page shows the summary, with failures and the background apps', () => {
    const state = run(started(), { type: 'configurationsApplied' }, { type: 'appInstallFailed', appId: 'slack', message: 'App Store sign-in needed' }, { type: 'appInstalled', appId: 'office' });
    expect(state.outcome).toBe('finished-with-failures');
    expect(endScreen(state)).toEqual({
      kind: 'summary',
      outcome: 'finished-with-failures',
      steps: [
        { key: 'configurations', result: 'passed' },
        { key: 'app:slack', result: 'failed' },
        { key: 'app:office', result: 'passed' },
      ],
      backgroundApps: ['xcode'],
      canRetry: true,
      landingPageUrl: null,
    });
    expect(progress(state)).toMatchObject({ done: 2, failed: 1, total: 3, fraction: 1 });
  });

  it('with a landing page shows a failure first, with Retry, and Continue to the landing page', () => {
    const settings = { enabled: true, timeoutSeconds: 120, landingPageUrl: 'https://intranet.example.com/welcome', startWindowMinutes: 20 };
    const begun = decideOnboarding({ settings, enrollmentMethod: 'automated', enrolledAt: T0, now: T0, apps: [{ id: 'slack', name: 'Slack', priority: 'high', type: 'app-store' }] });
    if (!begun.started) throw new Error('onboarding should start');
    const state = run(begun.state, { type: 'configurationsApplied' }, { type: 'appInstallFailed', appId: 'slack', message: 'No network' });
    expect(endScreen(state)).toMatchObject({ kind: 'summary', outcome: 'finished-with-failures', canRetry: true, landingPageUrl: 'https://intranet.example.com/welcome' });
    expect(endScreen(run(state, { type: 'retryFailed', now: T0 + SECOND }, { type: 'appInstalled', appId: 'slack' }))).toEqual({ kind: 'landing-page', url: 'https://intranet.example.com/welcome' });
  });
});

describe('timeout', () => {
  it('timeout while one app is still installing, which then finishes in the background', () => {
    let state = run(started(), { type: 'configurationsApplied' }, { type: 'appInstalled', appId: 'slack' }, { type: 'appDownloadStarted', appId: 'office' });
    const beforeDeadline = run(state, { type: 'tick', now: T0 + 120 * SECOND - 1 });
    expect(beforeDeadline).toBe(state);
    state = run(state, { type: 'tick', now: T0 + 120 * SECOND });
    expect(state.outcome).toBe('timed-out');
    expect(remainingMs(state, T0 + 120 * SECOND)).toBe(0);
    expect(stepsInBackground(state)).toEqual(['app:office']);
    expect(endScreen(state)).toMatchObject({ kind: 'summary', outcome: 'timed-out', steps: [{ result: 'passed' }, { result: 'passed' }, { key: 'app:office', result: 'still-installing' }], canRetry: false });

    state = run(state, { type: 'appInstalled', appId: 'office' });
    expect(state.outcome).toBe('timed-out');
    expect(stepsInBackground(state)).toEqual([]);
    expect(endScreen(state)).toMatchObject({ steps: [{ result: 'passed' }, { result: 'passed' }, { key: 'app:office', result: 'passed' }] });
    expect(run(state, { type: 'retryFailed', now: T0 + 3 * MINUTE })).toBe(state);
  });

  it('a step failing in the background after the timeout can be retried', () => {
    let state = run(started(), { type: 'configurationsApplied' }, { type: 'appInstalled', appId: 'slack' }, { type: 'tick', now: T0 + 5 * MINUTE });
    state = run(state, { type: 'appInstallFailed', appId: 'office', message: 'signature invalid' });
    expect(state.outcome).toBe('timed-out');
    expect(canRetry(state)).toBe(true);
    state = run(state, { type: 'retryFailed', now: T0 + 6 * MINUTE });
    expect(state).toMatchObject({ outcome: 'running', startedAt: T0 + 6 * MINUTE, deadline: T0 + 8 * MINUTE });
    expect(run(state, { type: 'appInstalled', appId: 'office' }).outcome).toBe('finished');
  });
});

describe('retry', () => {
  it('a failing step and retry: the failed step runs again with its attempt counted and the clock restarted', () => {
    let state = run(started(), { type: 'configurationsApplied' }, { type: 'appInstallFailed', appId: 'slack', message: 'download failed' }, { type: 'appInstalled', appId: 'office' });
    expect(state.outcome).toBe('finished-with-failures');
    state = run(state, { type: 'retryFailed', now: T0 + 90 * SECOND });
    expect(state.outcome).toBe('running');
    expect(state.startedAt).toBe(T0 + 90 * SECOND);
    expect(state.deadline).toBe(T0 + 210 * SECOND);
    expect(state.steps[1]).toEqual({ kind: 'app', appId: 'slack', appName: 'Slack', appType: 'app-store', status: 'pending', failureMessage: null, attempt: 2, installing: false });
    expect(state.steps.map((step) => step.attempt)).toEqual([1, 2, 1]);
    expect(run(state, { type: 'tick', now: T0 + 209 * SECOND }).outcome).toBe('running');
    expect(run(state, { type: 'tick', now: T0 + 210 * SECOND }).outcome).toBe('timed-out');

    state = run(state, { type: 'appInstallFailed', appId: 'slack', message: 'download failed again' }, { type: 'retryFailed', now: T0 + 100 * SECOND });
    expect(state.steps[1]).toMatchObject({ status: 'pending', attempt: 3 });
    state = run(state, { type: 'appInstalled', appId: 'slack' });
    expect(state.outcome).toBe('finished');
  });

  it('is refused, the same state returned, when no step failed', () => {
    const running = started();
    expect(canRetry(running)).toBe(false);
    expect(reduceOnboarding(running, { type: 'retryFailed', now: T0 + SECOND })).toBe(running);
    const finished = run(running, ...allDone);
    expect(reduceOnboarding(finished, { type: 'retryFailed', now: T0 + SECOND })).toBe(finished);
  });

  it('while running retries only the failed steps, leaving the others where they are', () => {
    const state = run(started(), { type: 'configurationsFailed', message: 'MDM profile missing' }, { type: 'appDownloadStarted', appId: 'slack' }, { type: 'appInstalled', appId: 'office' });
    expect(state.outcome).toBe('running');
    const retried = run(state, { type: 'retryFailed', now: T0 + 30 * SECOND });
    expect(statuses(retried)).toEqual(['pending', 'running', 'done']);
    expect(retried.steps.map((step) => step.attempt)).toEqual([2, 1, 1]);
    expect(retried.deadline).toBe(T0 + 150 * SECOND);
  });
});

describe('lost network', () => {
  it('does not fail steps and does not count against the timeout; the deadline moves by the time offline', () => {
    let state = run(started(), { type: 'appDownloadStarted', appId: 'slack' }, { type: 'networkLost', now: T0 + 30 * SECOND });
    expect(state.offline).toBe(true);
    state = run(state, { type: 'appInstallFailed', appId: 'slack', message: 'The network connection was lost.' }, { type: 'configurationsFailed', message: 'offline' });
    expect(statuses(state)).toEqual(['pending', 'pending', 'pending']);
    state = run(state, { type: 'tick', now: T0 + 10 * MINUTE });
    expect(state.outcome).toBe('running');
    expect(remainingMs(state, T0 + 10 * MINUTE)).toBe(90 * SECOND);
    state = run(state, { type: 'networkLost', now: T0 + 11 * MINUTE }, { type: 'networkRestored', now: T0 + 40 * SECOND + 10 * MINUTE });
    expect(state.offline).toBe(false);
    expect(state.deadline).toBe(T0 + 120 * SECOND + 10 * MINUTE + 10 * SECOND);
    expect(run(state, { type: 'networkRestored', now: T0 + 11 * MINUTE })).toBe(state);
    expect(run(state, { type: 'tick', now: state.deadline - 1 }).outcome).toBe('running');
    expect(run(state, { type: 'tick', now: state.deadline }).outcome).toBe('timed-out');
    expect(run(state, { type: 'appInstallFailed', appId: 'slack', message: 'disk full' }).steps[1]).toMatchObject({ status: 'failed', failureMessage: 'disk full' });
  });

  it('lost after the deadline passed ends the onboarding as timed-out first', () => {
    const state = run(started(), { type: 'networkLost', now: T0 + 121 * SECOND });
    expect(state).toMatchObject({ outcome: 'timed-out', offline: true, offlineSince: T0 + 121 * SECOND });
    expect(run(state, { type: 'networkRestored', now: T0 + 10 * MINUTE })).toMatchObject({ outcome: 'timed-out', offline: false, deadline: T0 + 120 * SECOND });
  });

  it('a retry while offline counts only the offline time after it', () => {
    let state = run(started(), { type: 'configurationsFailed', message: 'bad profile' }, { type: 'networkLost', now: T0 + 10 * SECOND });
    state = run(state, { type: 'retryFailed', now: T0 + 60 * SECOND }, { type: 'networkRestored', now: T0 + 70 * SECOND });
    expect(state.deadline).toBe(T0 + 60 * SECOND + 120 * SECOND + 10 * SECOND);
  });
});

describe('resume', () => {
  it('carries on an onboarding kept before its deadline as it was', () => {
    const state = run(started(), { type: 'configurationsApplied' }, { type: 'appDownloadStarted', appId: 'slack' });
    const resumed = resumeOnboarding(JSON.parse(JSON.stringify(state)), T0 + 60 * SECOND);
    expect(resumed).toEqual({ ok: true, state });
  });

  it('restart after the deadline passed ends as timed-out, with the kept deadline', () => {
    const state = run(started(), { type: 'configurationsApplied' });
    const resumed = resumeOnboarding(JSON.parse(JSON.stringify(state)), T0 + 120 * SECOND);
    expect(resumed).toEqual({ ok: true, state: { ...state, outcome: 'timed-out' } });
  });

  it('grants no time for the stop while offline: the offline stretch counts from the restart', () => {
    const state = run(started(), { type: 'networkLost', now: T0 + 30 * SECOND });
    const resumed = resumeOnboarding(JSON.parse(JSON.stringify(state)), T0 + 100 * SECOND);
    if (!resumed.ok) throw new Error(resumed.error);
    expect(resumed.state).toMatchObject({ offline: true, offlineSince: T0 + 100 * SECOND, deadline: T0 + 120 * SECOND });
    expect(run(resumed.state, { type: 'networkRestored', now: T0 + 110 * SECOND }).deadline).toBe(T0 + 130 * SECOND);
  });

  it('keeps an ended onboarding ended', () => {
    const state = run(started(), ...allDone);
    expect(resumeOnboarding(JSON.parse(JSON.stringify(state)), T0 + 60 * MINUTE)).toEqual({ ok: true, state });
  });

  it('garbage persisted state is refused with one sentence saying where', () => {
    const valid = JSON.parse(JSON.stringify(started())) as Record<string, unknown>;
    expect(resumeOnboarding(null, T0)).toEqual({ ok: false, error: 'The kept onboarding state cannot be resumed: Invalid input: expected object, received null.' });
    expect(resumeOnboarding('{"outcome":"running"}', T0)).toMatchObject({ ok: false });
    expect(resumeOnboarding({ ...valid, format: 2 }, T0)).toMatchObject({ ok: false, error: expect.stringMatching(/^The kept onboarding state cannot be resumed at format: .*\.$/) });
    const badStep = { ...valid, steps: [{ kind: 'configurations', status: 'installing', failureMessage: null, attempt: 1 }] };
    expect(resumeOnboarding(badStep, T0)).toMatchObject({ ok: false, error: expect.stringMatching(/^The kept onboarding state cannot be resumed at steps\.0\.status: /) });
    expect(resumeOnboarding({ ...valid, deadline: 'soon' }, T0)).toMatchObject({ ok: false, error: expect.stringContaining(' at deadline: ') });
    expect(resumeOnboarding({ ...valid, landingPageUrl: 'javascript:alert(1)' }, T0)).toMatchObject({ ok: false, error: expect.stringContaining(' at landingPageUrl: ') });
  });

  it('refuses a state the reducer cannot have produced', () => {
    const valid = JSON.parse(JSON.stringify(started())) as OnboardingState;
    const refused = (state: unknown) => {
      const result = resumeOnboarding(state, T0);
      return result.ok ? null : result.error;
    };
    expect(refused({ ...valid, outcome: 'finished' })).toBe('The kept onboarding state cannot be resumed: it finished with a step neither done nor skipped.');
    expect(refused({ ...valid, offline: true })).toBe('The kept onboarding state cannot be resumed: offline and offlineSince disagree.');
    expect(refused({ ...valid, deadline: T0 + 10 * MINUTE, timeoutSeconds: 3600 })).toBe('The kept onboarding state cannot be resumed: the deadline is earlier than the start plus the timeout.');
    expect(refused({ ...valid, steps: [valid.steps[1], valid.steps[0]] })).toBe('The kept onboarding state cannot be resumed: the configurations step is not first, or not the only one.');
    expect(refused({ ...valid, steps: [valid.steps[0], valid.steps[1], valid.steps[1]] })).toBe('The kept onboarding state cannot be resumed: an app has more than one step.');
    expect(refused({ ...valid, steps: valid.steps.map((step) => ({ ...step, status: 'done' })) })).toBe('The kept onboarding state cannot be resumed: it is running with every step settled.');
    expect(refused({ ...valid, outcome: 'finished-with-failures', steps: valid.steps.map((step) => ({ ...step, status: 'done' })) })).toBe(
      'The kept onboarding state cannot be resumed: it finished with failures but a step is unsettled or none failed.',
    );
    expect(refused({ ...valid, steps: valid.steps.map((step) => ({ ...step, status: 'failed' })) })).toBe('The kept onboarding state cannot be resumed: a step has a failure message without having failed, or failed without one.');
  });
});

describe('skipped steps', () => {
  it('lets an app the agent cannot install hold nothing up, and shows it as skipped in the summary', () => {
    const state = run(started(), { type: 'configurationsApplied' }, { type: 'appSkipped', appId: 'slack' }, { type: 'appInstalled', appId: 'office' });
    expect(state.outcome).toBe('finished');
    expect(statuses(state)).toEqual(['done', 'skipped', 'done']);
    expect(progress(state)).toMatchObject({ done: 2, skipped: 1, failed: 0, fraction: 1 });
    expect(endScreen(state)).toMatchObject({ kind: 'summary', outcome: 'finished', steps: [{ result: 'passed' }, { key: 'app:slack', result: 'skipped' }, { result: 'passed' }], canRetry: false });
    expect(run(state, { type: 'appInstalled', appId: 'slack' })).toBe(state);
    expect(run(state, { type: 'retryFailed', now: T0 + SECOND })).toBe(state);
  });

  it('does not skip a step that already failed, and a skip alone does not finish a failed onboarding', () => {
    const failed = run(started(), { type: 'configurationsApplied' }, { type: 'appInstallFailed', appId: 'slack', message: 'disk full' }, { type: 'appSkipped', appId: 'slack' });
    expect(statuses(failed)).toEqual(['done', 'failed', 'pending']);
    expect(run(failed, { type: 'appSkipped', appId: 'office' }).outcome).toBe('finished-with-failures');
  });
});

describe('progress', () => {
  it('counts done and failed steps for the bar and lists each step with its state key', () => {
    const state = run(started(), { type: 'configurationsApplied' }, { type: 'appDownloadStarted', appId: 'slack' });
    expect(progress(state)).toEqual({
      done: 1,
      failed: 0,
      skipped: 0,
      total: 3,
      fraction: 1 / 3,
      steps: [
        { key: 'configurations', kind: 'configurations', appId: null, appName: null, status: 'done', attempt: 1, failureMessage: null },
        { key: 'app:slack', kind: 'app', appId: 'slack', appName: 'Slack', status: 'running', attempt: 1, failureMessage: null },
        { key: 'app:office', kind: 'app', appId: 'office', appName: 'Microsoft Office', status: 'pending', attempt: 1, failureMessage: null },
      ],
    });
  });
});
