// What the agent does after each onboarding change, as data: the device log events the administrator reads, the
// installs it starts through the catalog's install path, and the landing page it opens at the end.
import { endScreen, progress, reduceOnboarding, type OnboardingEvent, type OnboardingState } from './onboarding-machine';
import { stepKey, type OnboardingStep } from './onboarding-steps';

export type OnboardingLogType =
  | 'onboarding.started'
  | 'onboarding.resumed'
  | 'onboarding.step'
  | 'onboarding.ended'
  | 'onboarding.retried'
  | 'onboarding.offline'
  | 'onboarding.online'
  /** An administrator left the kiosk with the documented key combination (not a reducer change: the kiosk's, not the steps'). */
  | 'onboarding.left';

export type OnboardingEffect =
  /** A device log event; the agent stamps it with the time and sends it through its outbox. */
  | { kind: 'log'; type: OnboardingLogType; data: Record<string, string | number | boolean | null> }
  /** Install a step's app through the catalog's install path. */
  | { kind: 'install'; appId: string }
  /** Open the landing page in the user's default browser (https only, checked by the machine). */
  | { kind: 'openLandingPage'; url: string };

/** The state after `event` and what the agent has to do about the change. */
export function stepOnboarding(state: OnboardingState, event: OnboardingEvent): { state: OnboardingState; effects: OnboardingEffect[] } {
  const next = reduceOnboarding(state, event);
  return { state: next, effects: onboardingEffects(state, next) };
}

/**
 * The effects of going from `before` (null: onboarding just started) to `after`.
 *
 * At the start: the log event, then an install of each step's in-house package app. App Store and Packager apps are
 * installed by the MDM server, not through the catalog's install path: the agent only lists the Packager apps as going
 * on in the background. After a retry, the failed apps are installed again.
 */
export function onboardingEffects(before: OnboardingState | null, after: OnboardingState): OnboardingEffect[] {
  if (before === after) return [];
  if (before === null) return startEffects(after);
  const effects: OnboardingEffect[] = [];
  const retried = before.outcome !== 'running' && after.outcome === 'running';
  const retriedWhileRunning = !retried && after.startedAt !== before.startedAt;
  if (retried || retriedWhileRunning) effects.push({ kind: 'log', type: 'onboarding.retried', data: { failedSteps: before.steps.filter((step) => step.status === 'failed').length } });
  if (!before.offline && after.offline) effects.push({ kind: 'log', type: 'onboarding.offline', data: {} });
  if (before.offline && !after.offline) effects.push({ kind: 'log', type: 'onboarding.online', data: {} });
  after.steps.forEach((step, index) => {
    const earlier = before.steps[index];
    if (earlier === undefined || earlier.status === step.status) return;
    effects.push({ kind: 'log', type: 'onboarding.step', data: stepData(step) });
    if (earlier.status === 'failed' && step.status === 'pending' && installsItself(step)) effects.push({ kind: 'install', appId: step.appId });
  });
  if (before.outcome === 'running' && after.outcome !== 'running') effects.push(...endEffects(after));
  return effects;
}

/**
 * After the agent restarted: the installs under way died with it (the install path clears what an interrupted install
 * left), so each step's package that was not installed yet is installed again. While onboarding runs that is every
 * unsettled step; after its end only the steps whose installer had started (done, still installing), and, after a
 * timeout, the steps still going on in the background.
 */
export function resumeEffects(state: OnboardingState): OnboardingEffect[] {
  const unsettled = (step: OnboardingStep) => step.status === 'pending' || step.status === 'running';
  const interrupted = state.steps.filter(installsItself).filter((step) => step.installing || ((state.outcome === 'running' || state.outcome === 'timed-out') && unsettled(step)));
  if (state.outcome !== 'running' && interrupted.length === 0) return [];
  return [{ kind: 'log', type: 'onboarding.resumed', data: { unsettledSteps: interrupted.length } }, ...interrupted.map((step): OnboardingEffect => ({ kind: 'install', appId: step.appId }))];
}

function startEffects(state: OnboardingState): OnboardingEffect[] {
  const stepApps = state.steps.filter(installsItself).map((step): OnboardingEffect => ({ kind: 'install', appId: step.appId }));
  const started: OnboardingEffect = {
    kind: 'log',
    type: 'onboarding.started',
    data: { steps: state.steps.length, backgroundApps: state.backgroundApps.length, timeoutSeconds: state.timeoutSeconds },
  };
  return [started, ...stepApps];
}

function endEffects(state: OnboardingState): OnboardingEffect[] {
  const { done, failed, skipped, total } = progress(state);
  const effects: OnboardingEffect[] = [{ kind: 'log', type: 'onboarding.ended', data: { outcome: state.outcome, done, failed, skipped, total } }];
  const screen = endScreen(state);
  if (screen?.kind === 'landing-page') effects.push({ kind: 'openLandingPage', url: screen.url });
  return effects;
}

/** An app step whose package the agent installs itself; App Store apps come from the MDM server. */
function installsItself(step: OnboardingStep): step is Extract<OnboardingStep, { kind: 'app' }> {
  return step.kind === 'app' && step.appType === 'pkg';
}

function stepData(step: OnboardingStep): Record<string, string | number | null> {
  return { step: stepKey(step), name: step.kind === 'app' ? step.appName : null, status: step.status, attempt: step.attempt, failure: step.failureMessage };
}
