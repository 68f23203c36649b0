// The words of the kiosk onboarding that depend on the view: a step's name and state, the activity, the time left, the apps in the background.
import type { OnboardingStepView, OnboardingView } from '../../shared/onboarding-view';
import type { I18n } from '../i18n/use-i18n';
import { formatMinutesLeft, formatPercent } from '../shell/format';

/** How many names a sentence lists before it says "and N more apps". */
const NAMED_APPS = 3;

export function stepName({ t }: Pick<I18n, 't'>, step: OnboardingStepView): string {
  return step.kind === 'configurations' ? t('onboarding.step.configurations') : (step.appName ?? step.key);
}

/** A step's state in words while setup runs: "Waiting", "Installing… (attempt 2)", "Failed: <reason>". */
export function stepStateText({ t }: Pick<I18n, 't'>, step: OnboardingStepView): string {
  const state = (() => {
    switch (step.status) {
      case 'pending':
        return t('onboarding.state.pending');
      case 'running':
        return step.kind === 'configurations' ? t('onboarding.state.applying') : t('onboarding.state.running');
      case 'done':
        return t('onboarding.state.done');
      case 'failed':
        return step.failureMessage === null ? t('onboarding.state.failed') : t('onboarding.state.failedReason', { reason: step.failureMessage });
      case 'skipped':
        return t('onboarding.state.skipped');
    }
  })();
  const retrying = step.attempt > 1 && (step.status === 'pending' || step.status === 'running');
  return retrying ? t('onboarding.state.attempt', { state, attempt: step.attempt }) : state;
}

/** A step's line in the summary after the end: what is not settled keeps going in the background. */
export function stepResultText(i18n: Pick<I18n, 't'>, step: OnboardingStepView): string {
  return isUnsettled(step) ? i18n.t('onboarding.state.stillInstalling') : stepStateText(i18n, step);
}

export function isUnsettled(step: OnboardingStepView): boolean {
  return step.status === 'pending' || step.status === 'running';
}

/** What is happening now, in one line: the step that runs, else the next one being prepared. */
export function activityText(i18n: Pick<I18n, 't'>, view: OnboardingView): string {
  const running = view.steps.find((step) => step.status === 'running');
  if (running === undefined) return i18n.t('onboarding.activity.next');
  return running.kind === 'configurations' ? i18n.t('onboarding.activity.configurations') : i18n.t('onboarding.activity.app', { name: stepName(i18n, running) });
}

export function timeLeftText({ t, intl }: Pick<I18n, 't' | 'intl'>, remainingSeconds: number): string {
  return remainingSeconds < 60 ? t('onboarding.lessThanAMinute') : t('onboarding.timeLeft', { duration: formatMinutesLeft(intl, remainingSeconds) });
}

/** "1 of 3 steps finished": a failed or skipped step is as finished as a done one for the bar; the list says which. */
export function progressText({ t, intl }: Pick<I18n, 't' | 'intl'>, view: OnboardingView): { steps: string; value: string; percent: number } {
  const { done, failed, skipped, total, fraction } = view.progress;
  const steps = t('onboarding.progressSteps', { settled: done + failed + skipped, total });
  return { steps, value: t('onboarding.progressValue', { percent: formatPercent(intl, fraction), steps }), percent: Math.round(fraction * 100) };
}

/** Names as a list for the locale ("Xcode, Zoom and 2 more apps"); null for none. */
export function appListText({ t, intl }: Pick<I18n, 't' | 'intl'>, names: readonly string[]): string | null {
  if (names.length === 0) return null;
  const shown = names.length > NAMED_APPS + 1 ? [...names.slice(0, NAMED_APPS), t('onboarding.moreApps', { count: names.length - NAMED_APPS })] : [...names];
  return intl.formatList(shown, { type: 'conjunction' });
}

/** After the end: the steps that did not settle in time and the apps that were never steps, all still installing. */
export function stillInstallingNames(i18n: Pick<I18n, 't'>, view: OnboardingView): string[] {
  return [...view.steps.filter(isUnsettled).map((step) => stepName(i18n, step)), ...view.backgroundApps.map((app) => app.appName)];
}
