// Kiosk onboarding as the UI shows it (issue 12): the steps with their states, the progress, and the end screen. The
// agent builds it from its onboarding state (src/agent/onboarding); the UI puts every word in from its message catalog.
import { z } from 'zod';
import { LandingPageUrlSchema } from './agent-config';
import { Text } from './input-bounds';

export const OnboardingStepViewSchema = z.object({
  /** `configurations` or `app:<id>`: stable across changes, for the UI's keys. */
  key: Text(80),
  kind: z.enum(['configurations', 'app']),
  appName: Text(200).nullable(),
  status: z.enum(['pending', 'running', 'done', 'failed', 'skipped']),
  /** 1 for the first try, one more for each retry. */
  attempt: z.number().int().min(1),
  /** The device's sentence for a failed step. */
  failureMessage: Text(1000).nullable(),
});
export type OnboardingStepView = z.infer<typeof OnboardingStepViewSchema>;

export const OnboardingViewSchema = z.object({
  outcome: z.enum(['running', 'finished', 'finished-with-failures', 'timed-out']),
  /** The network is gone: the time does not run and steps wait rather than fail. */
  offline: z.boolean(),
  /** Seconds left before the timeout; 0 once ended. */
  remainingSeconds: z.number().int().min(0),
  progress: z.object({
    done: z.number().int().min(0),
    failed: z.number().int().min(0),
    skipped: z.number().int().min(0),
    total: z.number().int().min(1),
    fraction: z.number().min(0).max(1),
  }),
  steps: z.array(OnboardingStepViewSchema).min(1).max(200),
  /** Apps that are not steps and install in the background. */
  backgroundApps: z.array(z.object({ appId: Text(64), appName: Text(200) })).max(1000),
  /** After the end: the landing page (nothing failed) or the pass/fail summary with Retry; null while running. */
  end: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('landing-page'), url: LandingPageUrlSchema }),
      z.object({ kind: z.literal('summary'), canRetry: z.boolean(), landingPageUrl: LandingPageUrlSchema.nullable() }),
    ])
    .nullable(),
});
export type OnboardingView = z.infer<typeof OnboardingViewSchema>;
