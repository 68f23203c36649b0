// The kiosk onboarding reducer (issue 12) over any sequence of events, with fast-check: it never mutates its input,
// keeps its steps and progress consistent, never runs again after the end but through a retry, and resumes as it was.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canRetry, progress, reduceOnboarding, resumeOnboarding, type OnboardingApp, type OnboardingEvent, type OnboardingState } from '../../src/agent/onboarding/onboarding-machine';
import { deepFreeze, MINUTE, SECOND, started, T0 } from './onboarding-fixture';

const APP_IDS = ['a', 'b', 'c', 'd'];
const RUNS = 200;

/** A fixed seed: the properties run the same cases every time, and fast-check prints the counterexample it shrank to. */
function forEachCase(check: (start: OnboardingState, events: OnboardingEvent[]) => void): void {
  fc.assert(
    fc.property(startArbitrary, eventsArbitrary, check),
    { numRuns: RUNS, seed: 12_000 },
  );
}

const appArbitrary = fc
  .record({ id: fc.constantFrom(...APP_IDS), priority: fc.constantFrom('high', 'high', 'normal'), type: fc.constantFrom('pkg', 'packager', 'app-store') })
  .map((app): OnboardingApp => ({ ...app, name: `App ${app.id}` }));

const startArbitrary = fc
  .record({ apps: fc.array(appArbitrary, { maxLength: 5 }), timeoutSeconds: fc.integer({ min: 10, max: 300 }), landingPageUrl: fc.constantFrom(null, 'https://example.com/welcome') })
  .map(({ apps, ...settings }) => started({ apps }, settings));

const EVENT_KINDS = ['configurationsStarted', 'configurationsApplied', 'configurationsFailed', 'appDownloadStarted', 'appInstallStarted', 'appInstalled', 'appInstallFailed', 'appInstallFailed', 'appSkipped', 'tick', 'tick', 'networkLost', 'networkRestored', 'retryFailed'] as const;

function eventOf(kind: (typeof EVENT_KINDS)[number], appId: string, message: string, now: number): OnboardingEvent {
  switch (kind) {
    case 'configurationsStarted':
    case 'configurationsApplied':
      return { type: kind };
    case 'configurationsFailed':
      return { type: kind, message };
    case 'appDownloadStarted':
    case 'appInstallStarted':
    case 'appInstalled':
    case 'appSkipped':
      return { type: kind, appId };
    case 'appInstallFailed':
      return { type: kind, appId, message };
    default:
      return { type: kind, now };
  }
}

/** Events with a wall clock that mostly moves on, sometimes by more than the timeout, and now and then goes back a little. */
const eventsArbitrary = fc
  .array(
    fc.record({
      kind: fc.constantFrom(...EVENT_KINDS),
      advance: fc.constantFrom(0, SECOND, 10 * SECOND, 45 * SECOND, 3 * MINUTE, -5 * SECOND),
      appId: fc.constantFrom(...APP_IDS, 'unknown'),
      message: fc.constantFrom('disk full', ''),
    }),
    { maxLength: 40, size: 'max' },
  )
  .map((steps) => {
    let now = T0;
    return steps.map((step) => {
      now = Math.max(0, now + step.advance);
      return eventOf(step.kind, step.appId, step.message, now);
    });
  });

/** Each event with the state before and after it, and the latest time an event carried so far (the start's before any). */
function walk(start: OnboardingState, events: OnboardingEvent[]): { before: OnboardingState; event: OnboardingEvent; after: OnboardingState; now: number }[] {
  let state = start;
  let now = state.startedAt;
  return events.map((event) => {
    const before = state;
    state = reduceOnboarding(before, event);
    if ('now' in event) now = event.now;
    return { before, event, after: state, now };
  });
}

describe('properties over any sequence of events', () => {
  it('never changes the state it is given', () => {
    forEachCase((start, events) => {
      let state = start;
      for (const event of events) {
        const before = state;
        const copy = structuredClone(before);
        // Frozen, so a mutation throws (modules are strict) rather than go unnoticed.
        state = reduceOnboarding(deepFreeze(before), event);
        expect(before).toEqual(copy);
      }
    });
  });

  it('keeps every step in exactly one state and the step list as it was planned', () => {
    forEachCase((start, events) => {
      for (const { before, after } of walk(start, events)) {
        const count = (status: string) => after.steps.filter((step) => step.status === status).length;
        expect(count('done') + count('failed') + count('skipped') + count('pending') + count('running')).toBe(after.steps.length);
        expect(after.steps.map((step) => step.kind === 'app' && step.appId)).toEqual(before.steps.map((step) => step.kind === 'app' && step.appId));
        expect(after.backgroundApps).toBe(before.backgroundApps);
      }
    });
  });

  it('keeps the progress fraction within [0, 1] and equal to the settled share of the steps', () => {
    forEachCase((start, events) => {
      for (const { after } of walk(start, events)) {
        const { done, failed, skipped, total, fraction } = progress(after);
        expect(fraction).toBeGreaterThanOrEqual(0);
        expect(fraction).toBeLessThanOrEqual(1);
        expect(fraction).toBe((done + failed + skipped) / total);
      }
    });
  });

  it('never makes an ended onboarding run again except through a retry of a failed step', () => {
    const seen = { endedEvents: 0, retriesAfterEnd: 0 };
    forEachCase((start, events) => {
      for (const { before, event, after } of walk(start, events)) {
        if (before.outcome === 'running') continue;
        seen.endedEvents++;
        if (after.outcome !== 'running') continue;
        seen.retriesAfterEnd++;
        expect(event.type).toBe('retryFailed');
        expect(canRetry(before)).toBe(true);
      }
    });
    // The cases do reach the end, and retry from it, often enough for the property to say something.
    expect(seen.endedEvents).toBeGreaterThan(1000);
    expect(seen.retriesAfterEnd).toBeGreaterThan(30);
  });

  it('only produces states that resume as they were before their deadline, and as timed-out after it', () => {
    let resumedBeforeDeadline = 0;
    forEachCase((start, events) => {
      for (const { after, now } of walk(start, events)) {
        const resumed = resumeOnboarding(JSON.parse(JSON.stringify(after)), now);
        if (!resumed.ok) throw new Error(resumed.error);
        if (after.outcome === 'running' && now >= after.deadline) {
          expect(resumed.state).toEqual({ ...after, outcome: 'timed-out' });
        } else {
          expect(resumed.state).toEqual(after.outcome === 'running' && after.offline ? { ...after, offlineSince: now } : after);
          if (after.outcome === 'running') resumedBeforeDeadline++;
        }
      }
    });
    expect(resumedBeforeDeadline).toBeGreaterThan(100);
  });
});
