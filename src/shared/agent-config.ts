// The "Mobile@Work for macOS" agent configuration as the device receives it (DESIGN.md §6).
import { z } from 'zod';

export const OnboardingSettingsSchema = z.object({
  enabled: z.boolean(),
  timeoutSeconds: z.number().int().min(10).max(3600),
  landingPageUrl: z.url({ protocol: /^https?$/ }).nullable(),
});

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
  onboarding: { enabled: false, timeoutSeconds: 120, landingPageUrl: null },
};
