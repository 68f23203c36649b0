// Kiosk onboarding after automated enrollment (issue 12) as a pure reducer: whether it starts, its steps, timeout, retry, resume.
import { z } from 'zod';
import { LandingPageUrlSchema, type OnboardingSettings } from '../../shared/agent-config';
import {
  BackgroundAppSchema,
  isPassed,
  isSettled,
  OnboardingStepSchema,
  planSteps,
  reportedStep,
  retriedStep,
  stepKey,
  type OnboardingApp,
  type OnboardingStep,
  type StepReport,
  type StepStatus,
} from './onboarding-steps';

export { stepKey, type BackgroundApp, type OnboardingApp, type OnboardingStep, type StepStatus } from './onboarding-steps';

/** The onboarding part of the agent configuration (times in the units an administrator sets). */
export type OnboardingStartSettings = OnboardingSettings;

/** What the agent knows when enrollment has finished; times are epoch milliseconds. */
export interface OnboardingStartInput {
  settings: OnboardingStartSettings;
  enrollmentMethod: 'automated' | 'pin';
  enrolledAt: number;
  now: number;
  apps: readonly OnboardingApp[];
}

export type NotStartedReason = 'disabled' | 'not-automated' | 'window-passed';

/** `running` until every step settled (`finished`, `finished-with-failures`) or the time ran out (`timed-out`). */
export const OnboardingOutcomeSchema = z.enum(['running', 'finished', 'finished-with-failures', 'timed-out']);
export type OnboardingOutcome = z.infer<typeof OnboardingOutcomeSchema>;

const EpochMs = z.number().int().min(0);
/**
 * The onboarding as the agent keeps it across restarts; every time is epoch milliseconds.
 *
 * `deadline` starts as `startedAt + timeoutSeconds * 1000` and moves later by each stretch spent offline once the
 * network is back; while offline, the stretch so far (since `offlineSince`) is added on the fly. The settings it
 * needs are copied in at the start, so a resumed onboarding does not depend on a configuration that changed meanwhile.
 */
const OnboardingStateFieldsSchema = z.object({
  format: z.literal(1),
  outcome: OnboardingOutcomeSchema,
  /** When the current try began: the start, or the last retry. */
  startedAt: EpochMs,
  timeoutSeconds: z.number().int().min(1),
  deadline: EpochMs,
  offline: z.boolean(),
  offlineSince: EpochMs.nullable(),
  /** https only, as in the agent configuration, and checked again when read back: it opens with no address bar to check. */
  landingPageUrl: LandingPageUrlSchema.nullable(),
  steps: z.array(OnboardingStepSchema).min(1),
  backgroundApps: z.array(BackgroundAppSchema),
});
export type OnboardingState = z.infer<typeof OnboardingStateFieldsSchema>;

/** The kept state as read back on resume: besides the field types, refuses what the reducer cannot have produced. */
export const OnboardingStateSchema = OnboardingStateFieldsSchema.superRefine((state, context) => {
  const problem = stateProblem(state);
  if (problem !== null) context.addIssue({ code: 'custom', message: problem });
});

/** The rule a state breaks that the reducer keeps, or null. */
function stateProblem(state: OnboardingState): string | null {
  if (state.steps[0]?.kind !== 'configurations' || state.steps.slice(1).some((step) => step.kind !== 'app')) return 'the configurations step is not first, or not the only one';
  const appIds = state.steps.flatMap((step) => (step.kind === 'app' ? [step.appId] : []));
  if (new Set(appIds).size !== appIds.length) return 'an app has more than one step';
  if (state.steps.some((step) => (step.status === 'failed') !== (step.failureMessage !== null))) return 'a step has a failure message without having failed, or failed without one';
  if (state.steps.some((step) => step.kind === 'app' && step.installing && step.status !== 'done')) return 'a step is installing without being done';
  if (state.offline !== (state.offlineSince !== null)) return 'offline and offlineSince disagree';
  if (state.deadline < state.startedAt + state.timeoutSeconds * 1000) return 'the deadline is earlier than the start plus the timeout';
  const settled = state.steps.every(isSettled);
  const failed = state.steps.some((step) => step.status === 'failed');
  if (state.outcome === 'running' && settled) return 'it is running with every step settled';
  if (state.outcome === 'finished' && !state.steps.every(isPassed)) return 'it finished with a step neither done nor skipped';
  if (state.outcome === 'finished-with-failures' && !(settled && failed)) return 'it finished with failures but a step is unsettled or none failed';
  return null;
}

/** What the device reports, and the clock and network events the agent feeds in; `now` is epoch milliseconds. */
export type OnboardingEvent =
  | { type: 'configurationsStarted' }
  | { type: 'configurationsApplied' }
  | { type: 'configurationsFailed'; message: string }
  | { type: 'appDownloadStarted'; appId: string }
  | { type: 'appInstallStarted'; appId: string }
  | { type: 'appInstalled'; appId: string }
  | { type: 'appInstallFailed'; appId: string; message: string }
  | { type: 'appSkipped'; appId: string }
  | { type: 'tick'; now: number }
  | { type: 'networkLost'; now: number }
  | { type: 'networkRestored'; now: number }
  | { type: 'retryFailed'; now: number };

export type OnboardingDecision = { started: true; state: OnboardingState } | { started: false; reason: NotStartedReason };

/**
 * Whether onboarding starts now, and its first state if so.
 *
 * Only a Mac that came through automated enrollment and enrolled at most `startWindowMinutes` ago starts: the kiosk
 * is for the user unpacking a new Mac, and a Mac in regular use (an agent reinstalled, a restart days later) must never
 * drop into it. An `enrolledAt` later than `now` by more than the window does not start either: the clock was set back
 * since, and how long ago the enrollment really was is not known. A landing page other than https:// is not shown.
 */
export function decideOnboarding(input: OnboardingStartInput): OnboardingDecision {
  const { settings } = input;
  if (!settings.enabled) return { started: false, reason: 'disabled' };
  if (input.enrollmentMethod !== 'automated') return { started: false, reason: 'not-automated' };
  if (Math.abs(input.now - input.enrolledAt) > settings.startWindowMinutes * 60_000) return { started: false, reason: 'window-passed' };
  const { steps, backgroundApps } = planSteps(input.apps);
  const state: OnboardingState = {
    format: 1,
    outcome: 'running',
    startedAt: input.now,
    timeoutSeconds: settings.timeoutSeconds,
    deadline: input.now + settings.timeoutSeconds * 1000,
    offline: false,
    offlineSince: null,
    landingPageUrl: LandingPageUrlSchema.safeParse(settings.landingPageUrl).success ? settings.landingPageUrl : null,
    steps,
    backgroundApps,
  };
  return { started: true, state };
}

/** The instant the time runs out, as of `now`: the deadline, later by the current offline stretch while offline. */
export function effectiveDeadline(state: OnboardingState, now: number): number {
  return state.offlineSince === null ? state.deadline : state.deadline + Math.max(0, now - state.offlineSince);
}

/** Milliseconds left before the time runs out, for a countdown; 0 once onboarding has ended. */
export function remainingMs(state: OnboardingState, now: number): number {
  return state.outcome === 'running' ? Math.max(0, effectiveDeadline(state, now) - now) : 0;
}

/** Whether `retryFailed` would do anything: there is a failed step. */
export function canRetry(state: OnboardingState): boolean {
  return state.steps.some((step) => step.status === 'failed');
}

/**
 * `state` after `event`; never changes `state`, and returns the same object when the event changes nothing.
 *
 * Reports about an app that has no step (unknown, Packager, normal priority) change nothing. Once onboarding ended,
 * reports still move its steps, so the summary shows what finished in the background, but the outcome stays; only
 * `retryFailed` makes it running again, and it is refused (the same state returned) when no step failed: check
 * `canRetry` to offer it. Retrying while running retries the failed steps only, and restarts the clock for all.
 */
export function reduceOnboarding(state: OnboardingState, event: OnboardingEvent): OnboardingState {
  switch (event.type) {
    case 'configurationsStarted':
      return withReport(state, (step) => step.kind === 'configurations', { kind: 'started' });
    case 'configurationsApplied':
      return withReport(state, (step) => step.kind === 'configurations', { kind: 'succeeded' });
    case 'configurationsFailed':
      return withReport(state, (step) => step.kind === 'configurations', { kind: 'failed', message: event.message });
    case 'appDownloadStarted':
      return withReport(state, isApp(event.appId), { kind: 'started' });
    case 'appInstallStarted':
      // An install that has started counts as installed: the user need not wait for the last bytes of a large app.
      return withReport(state, isApp(event.appId), { kind: 'installing' });
    case 'appInstalled':
      return withReport(state, isApp(event.appId), { kind: 'succeeded' });
    case 'appInstallFailed':
      return withReport(state, isApp(event.appId), { kind: 'failed', message: event.message });
    case 'appSkipped':
      return withReport(state, isApp(event.appId), { kind: 'skipped' });
    case 'tick':
      return timedOutIfDue(state, event.now);
    case 'networkLost':
      return withNetworkLost(timedOutIfDue(state, event.now), event.now);
    case 'networkRestored':
      return withNetworkRestored(state, event.now);
    case 'retryFailed':
      return retried(state, event.now);
  }
}

const isApp = (appId: string) => (step: OnboardingStep) => step.kind === 'app' && step.appId === appId;

function withReport(state: OnboardingState, matches: (step: OnboardingStep) => boolean, report: StepReport): OnboardingState {
  let changed = false;
  const steps = state.steps.map((step) => {
    if (!matches(step)) return step;
    const next = reportedStep(step, report, state.offline);
    changed ||= next !== step;
    return next;
  });
  if (!changed) return state;
  return { ...state, steps, outcome: state.outcome === 'running' ? runningOutcome(steps) : endedOutcome(state.outcome, steps) };
}

/** After the end, an install that failed once it had started turns a clean finish into one with failures. */
function endedOutcome(outcome: OnboardingOutcome, steps: readonly OnboardingStep[]): OnboardingOutcome {
  return outcome === 'finished' && steps.some((step) => step.status === 'failed') ? 'finished-with-failures' : outcome;
}

/** The outcome of a running onboarding with `steps`: still running until every step settled. */
function runningOutcome(steps: readonly OnboardingStep[]): OnboardingOutcome {
  if (!steps.every(isSettled)) return 'running';
  return steps.every(isPassed) ? 'finished' : 'finished-with-failures';
}

/** Ends a running onboarding as timed-out when `now` is at or past its deadline; its unsettled steps carry on in the background. */
function timedOutIfDue(state: OnboardingState, now: number): OnboardingState {
  if (state.outcome !== 'running' || now < effectiveDeadline(state, now)) return state;
  return { ...state, outcome: 'timed-out' };
}

/** Offline from `now`; a repeated report keeps the instant of the first. */
function withNetworkLost(state: OnboardingState, now: number): OnboardingState {
  return state.offline ? state : { ...state, offline: true, offlineSince: now };
}

/** Back online: the offline stretch moves the deadline later, while onboarding runs; after the end there is no deadline to move. */
function withNetworkRestored(state: OnboardingState, now: number): OnboardingState {
  if (state.offlineSince === null) return state;
  const deadline = state.outcome === 'running' ? effectiveDeadline(state, now) : state.deadline;
  return { ...state, offline: false, offlineSince: null, deadline };
}

function retried(state: OnboardingState, now: number): OnboardingState {
  if (!canRetry(state)) return state;
  return {
    ...state,
    outcome: 'running',
    startedAt: now,
    deadline: now + state.timeoutSeconds * 1000,
    // Time offline before the retry is spent: only the stretch from now on moves the new deadline.
    offlineSince: state.offline ? now : null,
    steps: state.steps.map(retriedStep),
  };
}

export type ResumeResult = { ok: true; state: OnboardingState } | { ok: false; error: string };

/**
 * The onboarding as it was kept before the agent stopped, carried on at `now`; `persisted` is what was read back (any value).
 *
 * A restart grants no time: the kept deadline stands and an onboarding whose deadline passed while the agent was
 * down ends as timed-out at once. Time offline before the stop is not credited either, since when the agent stopped is
 * not known: a state kept offline stays offline, its stretch counted from `now` until the network is reported back.
 */
export function resumeOnboarding(persisted: unknown, now: number): ResumeResult {
  const parsed = OnboardingStateSchema.safeParse(persisted);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.join('.')}`;
    return { ok: false, error: `The kept onboarding state cannot be resumed${where}: ${issue?.message ?? 'it is not valid'}.` };
  }
  const state = parsed.data;
  if (state.outcome !== 'running') return { ok: true, state };
  if (now >= state.deadline) return { ok: true, state: { ...state, outcome: 'timed-out' } };
  return { ok: true, state: state.offline ? { ...state, offlineSince: now } : state };
}

/** One step as the UI lists it: `status` is the message-catalog key of its state. */
export interface StepView {
  key: string;
  kind: OnboardingStep['kind'];
  appId: string | null;
  appName: string | null;
  status: StepStatus;
  attempt: number;
  failureMessage: string | null;
}

export interface OnboardingProgress {
  done: number;
  failed: number;
  skipped: number;
  total: number;
  /** How far the progress bar is, 0 to 1: a failed step is as finished as a done one for the bar; the step list says which. */
  fraction: number;
  steps: StepView[];
}

/** The progress bar and the step list while onboarding runs (and after, for steps going on in the background). */
export function progress(state: OnboardingState): OnboardingProgress {
  const done = state.steps.filter((step) => step.status === 'done').length;
  const failed = state.steps.filter((step) => step.status === 'failed').length;
  const skipped = state.steps.filter((step) => step.status === 'skipped').length;
  const total = state.steps.length;
  return { done, failed, skipped, total, fraction: (done + failed + skipped) / total, steps: state.steps.map(stepView) };
}

function stepView(step: OnboardingStep): StepView {
  const app = step.kind === 'app' ? { appId: step.appId, appName: step.appName } : { appId: null, appName: null };
  return { key: stepKey(step), kind: step.kind, ...app, status: step.status, attempt: step.attempt, failureMessage: step.failureMessage };
}

/** A step's line in the summary after the end: unsettled steps keep going in the background. */
export type StepResult = 'passed' | 'failed' | 'skipped' | 'still-installing';

export type EndScreen =
  | { kind: 'landing-page'; url: string }
  | {
      kind: 'summary';
      outcome: Exclude<OnboardingOutcome, 'running'>;
      steps: { key: string; result: StepResult }[];
      backgroundApps: string[];
      canRetry: boolean;
      /** Where "Continue" goes after the summary, when a landing page is set. */
      landingPageUrl: string | null;
    };

/**
 * What the kiosk shows once onboarding ended (null while it runs): the landing page when one is set and nothing
 * failed, else the pass/fail summary — a failed step is shown with Retry first, and Continue then opens the landing page.
 */
export function endScreen(state: OnboardingState): EndScreen | null {
  if (state.outcome === 'running') return null;
  if (state.landingPageUrl !== null && !canRetry(state)) return { kind: 'landing-page', url: state.landingPageUrl };
  return {
    kind: 'summary',
    outcome: state.outcome,
    steps: state.steps.map((step) => ({ key: stepKey(step), result: stepResult(step) })),
    backgroundApps: state.backgroundApps.map((app) => app.appId),
    canRetry: canRetry(state),
    landingPageUrl: state.landingPageUrl,
  };
}

function stepResult(step: OnboardingStep): StepResult {
  if (step.status === 'done') return 'passed';
  if (step.status === 'failed' || step.status === 'skipped') return step.status;
  return 'still-installing';
}

/** The steps still installing in the background after onboarding ended (none while it runs), by key. */
export function stepsInBackground(state: OnboardingState): string[] {
  return state.outcome === 'running' ? [] : state.steps.filter((step) => !isSettled(step)).map(stepKey);
}
