// The steps of kiosk onboarding (issue 12): which apps make one, their persisted shape, and how one moves on a device report.
import { z } from 'zod';

/** Where a step is; the UI's message catalog has one text per key, the machine holds no English. */
/** `skipped`: the agent cannot install the app (no longer distributed to the Mac, or one only an MDM server installs); it holds nothing up. */
export const StepStatusSchema = z.enum(['pending', 'running', 'done', 'failed', 'skipped']);
export type StepStatus = z.infer<typeof StepStatusSchema>;

/** An app assigned to the device, as the onboarding needs to know it. */
export interface OnboardingApp {
  id: string;
  name: string;
  priority: 'high' | 'normal';
  type: 'pkg' | 'packager' | 'app-store';
}

const stepFields = {
  status: StepStatusSchema,
  /** The device's message for a failed step, kept for the summary; null unless `failed`. */
  failureMessage: z.string().nullable(),
  /** 1 for the first try, one more for each retry of this step. */
  attempt: z.number().int().min(1),
};

/** Everything the server pushes as configurations and profiles, shown as one step: the user cannot act on them one by one. */
export const ConfigurationsStepSchema = z.object({ kind: z.literal('configurations'), ...stepFields });

/** A high-priority app the user waits for; `pkg` and App Store apps only, since Packager apps always install in the background. */
export const AppStepSchema = z.object({
  kind: z.literal('app'),
  appId: z.string().min(1),
  appName: z.string(),
  appType: z.enum(['pkg', 'app-store']),
  ...stepFields,
  /**
   * Done because its installation started, the installer not finished yet: a failure still fails the step, and a
   * restart installs it again. Absent in states kept before it existed, which read as finished.
   */
  installing: z.boolean().default(false),
});

export const OnboardingStepSchema = z.discriminatedUnion('kind', [ConfigurationsStepSchema, AppStepSchema]);
export type OnboardingStep = z.infer<typeof OnboardingStepSchema>;

/**
 * An app that installs without holding up the kiosk, listed so the UI can say it keeps installing after onboarding:
 * Packager apps, which install in the background by design (they can take long and need no user).
 */
export const BackgroundAppSchema = z.object({
  appId: z.string().min(1),
  appName: z.string(),
  appType: z.enum(['pkg', 'packager', 'app-store']),
  reason: z.literal('packager'),
});
export type BackgroundApp = z.infer<typeof BackgroundAppSchema>;

/**
 * The steps for `apps`, configurations first, then each high-priority non-Packager app in the given order (a repeated
 * id counts once). Normal-priority apps are no part of onboarding: they stay in Apps@Work for the user to install, since
 * installing every app distributed to a Mac unasked would fill it with what nobody chose.
 */
export function planSteps(apps: readonly OnboardingApp[]): { steps: OnboardingStep[]; backgroundApps: BackgroundApp[] } {
  const steps: OnboardingStep[] = [{ kind: 'configurations', status: 'pending', failureMessage: null, attempt: 1 }];
  const backgroundApps: BackgroundApp[] = [];
  const seen = new Set<string>();
  for (const app of apps) {
    if (seen.has(app.id)) continue;
    seen.add(app.id);
    if (app.type === 'packager') backgroundApps.push({ appId: app.id, appName: app.name, appType: app.type, reason: 'packager' });
    else if (app.priority === 'normal') continue;
    else steps.push({ kind: 'app', appId: app.id, appName: app.name, appType: app.type, status: 'pending', failureMessage: null, attempt: 1, installing: false });
  }
  return { steps, backgroundApps };
}

/** A stable id for a step, for React keys and for the UI to match a step across states: `configurations` or `app:<id>`. */
export function stepKey(step: OnboardingStep): string {
  return step.kind === 'configurations' ? 'configurations' : `app:${step.appId}`;
}

/** Done, failed or skipped: nothing more happens to the step unless the user retries a failed one. */
export function isSettled(step: OnboardingStep): boolean {
  return step.status === 'done' || step.status === 'failed' || step.status === 'skipped';
}

/** Done or skipped: the step holds nothing up and failed nothing. */
export function isPassed(step: OnboardingStep): boolean {
  return step.status === 'done' || step.status === 'skipped';
}

/** What a device report does to a step: `installing` the installer started, `succeeded` it (or the step) finished. */
export type StepReport = { kind: 'started' } | { kind: 'installing' } | { kind: 'succeeded' } | { kind: 'skipped' } | { kind: 'failed'; message: string };

/**
 * `step` after `report`, or the same object when the report does not move it.
 *
 * An app counts as installed once its installation started: the step is done then, and onboarding moves on. Until
 * the installer finished, the step is `installing`: a failure then still fails it, since a summary that says "ready"
 * for an app that is not there would be a lie. Otherwise a settled step stays as it is: a late or repeated report
 * never changes it. A failure while the device is offline, before the installer started, is taken for a consequence
 * of the lost network and puts the step back to pending, to be tried again once the network is back, rather than
 * failing it for a reason the user cannot fix.
 */
export function reportedStep(step: OnboardingStep, report: StepReport, offline: boolean): OnboardingStep {
  if (step.kind === 'app' && step.installing) {
    if (report.kind === 'succeeded') return { ...step, installing: false };
    if (report.kind === 'failed') return { ...step, status: 'failed', failureMessage: report.message, installing: false };
    return step;
  }
  if (isSettled(step)) return step;
  switch (report.kind) {
    case 'started':
      return step.status === 'pending' ? { ...step, status: 'running' } : step;
    case 'installing':
      return step.kind === 'app' ? { ...step, status: 'done', installing: true } : { ...step, status: 'done' };
    case 'succeeded':
      return { ...step, status: 'done' };
    case 'skipped':
      return { ...step, status: 'skipped' };
    case 'failed':
      if (offline) return step.status === 'pending' ? step : { ...step, status: 'pending' };
      return { ...step, status: 'failed', failureMessage: report.message };
  }
}

/** `step` tried again: failed steps go back to pending with their attempt counted, others are returned as they are. */
export function retriedStep(step: OnboardingStep): OnboardingStep {
  return step.status === 'failed' ? { ...step, status: 'pending', failureMessage: null, attempt: step.attempt + 1 } : step;
}
