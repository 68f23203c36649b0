// The onboarding reducer's test fixture: a clock, four apps (two high-priority steps, a Packager app, a normal one), and a started onboarding.
import { decideOnboarding, reduceOnboarding, type OnboardingApp, type OnboardingEvent, type OnboardingStartInput, type OnboardingStartSettings, type OnboardingState } from '../../src/agent/onboarding/onboarding-machine';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const T0 = Date.UTC(2026, 11, 2, 9, 0, 0);

export const DEFAULT_SETTINGS: OnboardingStartSettings = { enabled: true, timeoutSeconds: 120, landingPageUrl: null, startWindowMinutes: 20 };

export const slack: OnboardingApp = { id: 'slack', name: 'Slack', priority: 'high', type: 'app-store' };
export const office: OnboardingApp = { id: 'office', name: 'Microsoft Office', priority: 'high', type: 'pkg' };
export const xcode: OnboardingApp = { id: 'xcode', name: 'Xcode', priority: 'high', type: 'packager' };
export const zoom: OnboardingApp = { id: 'zoom', name: 'Zoom', priority: 'normal', type: 'pkg' };

export function input(overrides: Partial<OnboardingStartInput> = {}, settings: Partial<OnboardingStartSettings> = {}): OnboardingStartInput {
  return { settings: { ...DEFAULT_SETTINGS, ...settings }, enrollmentMethod: 'automated', enrolledAt: T0 - 2 * MINUTE, now: T0, apps: [slack, office, xcode, zoom], ...overrides };
}

export function started(overrides: Partial<OnboardingStartInput> = {}, settings: Partial<OnboardingStartSettings> = {}): OnboardingState {
  const decision = decideOnboarding(input(overrides, settings));
  if (!decision.started) throw new Error(`onboarding did not start: ${decision.reason}`);
  return decision.state;
}

export function run(state: OnboardingState, ...events: OnboardingEvent[]): OnboardingState {
  return events.reduce(reduceOnboarding, state);
}

export const statuses = (state: OnboardingState) => state.steps.map((step) => step.status);
export const allDone: OnboardingEvent[] = [{ type: 'configurationsApplied' }, { type: 'appInstalled', appId: 'slack' }, { type: 'appInstallStarted', appId: 'office' }];

/** Frozen all the way down, so a mutation throws (modules are strict) rather than go unnoticed. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
