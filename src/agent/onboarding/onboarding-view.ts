// The onboarding as the UI's contract shows it (src/shared/onboarding-view.ts), built from the machine's state at a time.
import type { OnboardingView } from '../../shared/onboarding-view';
import { endScreen, progress, remainingMs, type OnboardingState } from './onboarding-machine';

export function onboardingView(state: OnboardingState, now: number): OnboardingView {
  const { done, failed, skipped, total, fraction, steps } = progress(state);
  const end = endScreen(state);
  return {
    outcome: state.outcome,
    offline: state.offline,
    remainingSeconds: Math.ceil(remainingMs(state, now) / 1000),
    progress: { done, failed, skipped, total, fraction },
    steps: steps.map((step) => ({ key: step.key, kind: step.kind, appName: step.appName, status: step.status, attempt: step.attempt, failureMessage: step.failureMessage })),
    backgroundApps: state.backgroundApps.map((app) => ({ appId: app.appId, appName: app.appName })),
    end: end === null ? null : end.kind === 'landing-page' ? end : { kind: 'summary', canRetry: end.canRetry, landingPageUrl: end.landingPageUrl },
  };
}
