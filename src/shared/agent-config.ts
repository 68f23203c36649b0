// The "Mobile@Work for macOS" agent configuration as the device receives it (DESIGN.md §6).
import { z } from 'zod';

/** Minutes after enrollment within which onboarding may still start: a Mac in regular use never drops into kiosk mode. */
export const DEFAULT_ONBOARDING_START_WINDOW_MINUTES = 20;
export const DEFAULT_ONBOARDING_TIMEOUT_SECONDS = 120;

/** The landing page the kiosk opens after onboarding: https only, since it is shown to the user as the organisation's own page. */
export const LandingPageUrlSchema = z.url({ protocol: /^https$/, error: 'The landing page URL must be an https:// address.' }).max(2048);

const onboardingFields = {
  enabled: z.boolean(),
  timeoutSeconds: z.number().int().min(10).max(3600),
  startWindowMinutes: z.number().int().min(1).max(1440),
};

/** What an administrator may set; every field optional, for create and edit alike. */
export const OnboardingSettingsInputSchema = z.strictObject({ ...onboardingFields, landingPageUrl: LandingPageUrlSchema.nullable() }).partial();

/**
 * The settings as stored and sent to devices. Read leniently where earlier versions were looser: a settings row or
 * agent state from before the start window reads as the default window, and a landing page from when http:// was
 * still accepted reads as none (the device shows its summary instead) rather than failing every read of the row.
 */
export const OnboardingSettingsSchema = z.object({
  ...onboardingFields,
  startWindowMinutes: onboardingFields.startWindowMinutes.default(DEFAULT_ONBOARDING_START_WINDOW_MINUTES),
  landingPageUrl: LandingPageUrlSchema.nullable().catch(null),
});
export type OnboardingSettings = z.infer<typeof OnboardingSettingsSchema>;

export const AgentConfigSchema = z.object({
  maxRunTimeSeconds: z.number().int().min(1).max(86_400),
  maxResponseSizeKb: z.number().int().min(1).max(1024),
  checkinFrequencyMinutes: z.number().int().min(1).max(1440),
  onboarding: OnboardingSettingsSchema,
});
export type AgentConfig = z.infer<typeof AgentConfigSchema>;

export const DEFAULT_AGENT_CONFIG: AgentConfig = {
  maxRunTimeSeconds: 60,
  maxResponseSizeKb: 1,
  checkinFrequencyMinutes: 15,
  onboarding: { enabled: false, timeoutSeconds: DEFAULT_ONBOARDING_TIMEOUT_SECONDS, landingPageUrl: null, startWindowMinutes: DEFAULT_ONBOARDING_START_WINDOW_MINUTES },
};
