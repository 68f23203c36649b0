// The agent configuration's onboarding settings: strict where an administrator writes them, lenient where rows and
// agent state written by earlier versions are read back.
import { describe, expect, it } from 'vitest';
import { AgentConfigSchema, DEFAULT_AGENT_CONFIG, OnboardingSettingsInputSchema } from '../../src/shared/agent-config';

describe('onboarding settings', () => {
  it.each(['http://intranet.example.com/', 'javascript:alert(1)', 'file:///etc/passwd', 'intranet.example.com'])('refuses %s as a landing page in one sentence', (url) => {
    const parsed = OnboardingSettingsInputSchema.safeParse({ landingPageUrl: url });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.message)).toEqual(['The landing page URL must be an https:// address.']);
  });

  it('takes an https landing page, none, and a start window between 1 minute and a day', () => {
    expect(OnboardingSettingsInputSchema.parse({ landingPageUrl: 'https://intranet.example.com/welcome', startWindowMinutes: 30 })).toEqual({
      landingPageUrl: 'https://intranet.example.com/welcome',
      startWindowMinutes: 30,
    });
    expect(OnboardingSettingsInputSchema.parse({ landingPageUrl: null })).toEqual({ landingPageUrl: null });
    expect(OnboardingSettingsInputSchema.safeParse({ startWindowMinutes: 0 }).success).toBe(false);
    expect(OnboardingSettingsInputSchema.safeParse({ startWindowMinutes: 1441 }).success).toBe(false);
    expect(OnboardingSettingsInputSchema.safeParse({ unknownSetting: true }).success).toBe(false);
  });

  it('reads settings stored before the start window existed, and an http landing page from then as none', () => {
    const stored = { ...DEFAULT_AGENT_CONFIG, onboarding: { enabled: true, timeoutSeconds: 300, landingPageUrl: 'http://intranet.example.com/' } };
    expect(AgentConfigSchema.parse(stored).onboarding).toEqual({ enabled: true, timeoutSeconds: 300, landingPageUrl: null, startWindowMinutes: 20 });
  });

  it('defaults to onboarding off, 120 seconds and a 20-minute window', () => {
    expect(DEFAULT_AGENT_CONFIG.onboarding).toEqual({ enabled: false, timeoutSeconds: 120, landingPageUrl: null, startWindowMinutes: 20 });
  });
});
