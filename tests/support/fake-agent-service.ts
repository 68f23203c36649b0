// A small in-memory agent service for UI, IPC and bridge tests: set a status, emit changes, count calls.
import type { AgentServiceContract, EnrollParams, EnrollResult, InstallProgress, MethodArgs, MethodName, MethodResult } from '../../src/shared/agent-service-contract';
import type { AgentStatus, RunSummary } from '../../src/shared/agent-status';
import { ServiceError } from '../../src/shared/agent-service-contract';
import type { AppDetails, AppSummary, Review } from '../../src/shared/catalog-protocol';
import type { OnboardingView } from '../../src/shared/onboarding-view';

/**
 * An onboarding in the middle: configurations done, one app installing, one waiting, and a Packager app in the
 * background; override what the test is about.
 */
export function makeOnboarding(overrides: Partial<OnboardingView> = {}): OnboardingView {
  return {
    outcome: 'running',
    offline: false,
    remainingSeconds: 84,
    progress: { done: 1, failed: 0, skipped: 0, total: 3, fraction: 1 / 3 },
    steps: [
      { key: 'configurations', kind: 'configurations', appName: null, status: 'done', attempt: 1, failureMessage: null },
      { key: 'app:app-office', kind: 'app', appName: 'Microsoft Office', status: 'running', attempt: 1, failureMessage: null },
      { key: 'app:app-slack', kind: 'app', appName: 'Slack', status: 'pending', attempt: 1, failureMessage: null },
    ],
    backgroundApps: [{ appId: 'app-xcode', appName: 'Xcode' }],
    end: null,
    ...overrides,
  };
}

/** A finished run with sensible defaults; override what the test is about. */
export function makeRun(overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    executionId: '6f1c1e36-3f3b-4b5e-9f59-0a4f5a0d8c11',
    configurationId: 'cfg-1',
    scriptName: 'hello',
    status: 'completed',
    startedAt: '2026-11-24T10:00:00.000Z',
    durationMs: 1234,
    exitCode: 0,
    signal: null,
    timedOut: false,
    stdout: 'Hello from Atwork\n',
    stderr: '',
    error: null,
    ...overrides,
  };
}

/** A status of an enrolled device with one run; override what the test is about. */
export function makeStatus(overrides: Partial<AgentStatus> = {}): AgentStatus {
  return {
    serverUrl: 'http://127.0.0.1:4000',
    deviceId: 'dev-1234',
    enrolled: true,
    enrolledAt: '2026-11-24T09:55:00.000Z',
    retiredAt: null,
    lastCheckinAt: '2026-11-24T10:00:05.000Z',
    lastCheckinError: null,
    nextCheckinAt: '2026-11-24T10:15:05.000Z',
    recentRuns: [makeRun()],
    ...overrides,
  };
}

/**
 * Valid arguments for every method of the contract, for tests that call each one over a transport.
 *
 * Typed by the contract, so a method added to it without a sample here fails to compile.
 */
export const SAMPLE_ARGS: { [M in MethodName]: MethodArgs<M> } = {
  getStatus: [],
  checkInNow: [],
  enroll: [{ serverUrl: 'http://127.0.0.1:4000', username: 'ada', pin: '123456' }],
  getVersionInfo: [],
  getCatalog: [{ search: 'notes', limit: 20, offset: 0 }],
  getAppDetails: ['app-notes'],
  getReviews: ['app-notes', { limit: 10, offset: 0 }],
  saveReview: ['app-notes', { rating: 5, title: 'Great', text: 'Does what it says.' }],
  installApp: ['app-notes'],
  getInstalls: [],
  retireDevice: [],
  getOnboarding: [],
  retryOnboarding: [],
  finishOnboarding: [],
};

/** An app as the catalog lists it; override what the test is about. */
export function makeApp(overrides: Partial<AppSummary> = {}): AppSummary {
  return {
    id: 'app-notes',
    name: 'Notes',
    publisher: 'Example Ltd',
    category: 'Productivity',
    version: '2.1.0',
    shortDescription: 'Take notes.',
    type: 'pkg',
    priority: 'normal',
    featured: false,
    icon: null,
    rating: { average: 4.5, count: 2 },
    installState: 'not_installed',
    ...overrides,
  };
}

export function makeReview(overrides: Partial<Review> = {}): Review {
  return { id: 'rev-1', author: 'Ada', rating: 5, title: 'Great', text: 'Does what it says.', createdAt: '2026-11-24T10:00:00.000Z', updatedAt: '2026-11-24T10:00:00.000Z', ...overrides };
}

export function makeAppDetails(overrides: Partial<AppDetails> = {}): AppDetails {
  return {
    ...makeApp(),
    bundleId: 'com.example.notes',
    description: 'Take notes, and find them again.',
    size: 1234,
    screenshots: [],
    rating: { average: 4.5, count: 2, histogram: [0, 0, 0, 1, 1] },
    silentInstall: true,
    myReview: null,
    installMessage: null,
    ...overrides,
  };
}

/** An install under way; override what the test is about. */
export function makeInstall(overrides: Partial<InstallProgress> = {}): InstallProgress {
  return {
    appId: 'app-notes',
    name: 'Notes',
    version: '2.1.0',
    phase: 'downloading',
    receivedBytes: 100,
    totalBytes: 1234,
    message: null,
    startedAt: '2026-11-24T10:01:00.000Z',
    endedAt: null,
    ...overrides,
  };
}

export class FakeAgentService implements AgentServiceContract {
  status: AgentStatus;
  checkInCalls = 0;
  /** Every method called, in order, with the arguments it got. */
  readonly calls: { method: MethodName; args: unknown[] }[] = [];
  /** When set, every method rejects with it. */
  failure: Error | null = null;
  readonly listeners = new Set<(status: AgentStatus) => void>();
  installs: InstallProgress[] = [];
  readonly installListeners = new Set<(installs: InstallProgress[]) => void>();
  /** No onboarding unless a test sets one (makeOnboarding). */
  onboarding: OnboardingView | null = null;
  readonly onboardingListeners = new Set<(onboarding: OnboardingView | null) => void>();

  constructor(status: AgentStatus = makeStatus()) {
    this.status = status;
  }

  async getStatus(): Promise<AgentStatus> {
    this.record('getStatus', []);
    return this.status;
  }

  async checkInNow(): Promise<AgentStatus> {
    this.record('checkInNow', []);
    this.checkInCalls += 1;
    this.emit({ ...this.status, lastCheckinAt: '2026-11-24T10:20:00.000Z' });
    return this.status;
  }

  async enroll(params: EnrollParams): Promise<EnrollResult> {
    this.record('enroll', [params]);
    this.emit({ ...this.status, serverUrl: params.serverUrl, deviceId: 'dev-enrolled', enrolled: true });
    return { deviceId: 'dev-enrolled' };
  }

  async getVersionInfo(): Promise<MethodResult<'getVersionInfo'>> {
    this.record('getVersionInfo', []);
    return { agentVersion: '0.1.0', platform: 'darwin', arch: 'arm64', osName: 'Darwin', osVersion: '25.1.0', nodeVersion: '20.19.0', electronVersion: '45.4.1' };
  }

  async getCatalog(...args: MethodArgs<'getCatalog'>): Promise<MethodResult<'getCatalog'>> {
    this.record('getCatalog', args);
    return { apps: [makeApp()], page: { limit: args[0].limit, offset: args[0].offset, total: 1 }, categories: ['Productivity'] };
  }

  async getAppDetails(...args: MethodArgs<'getAppDetails'>): Promise<AppDetails> {
    this.record('getAppDetails', args);
    return makeAppDetails({ id: args[0] });
  }

  async getReviews(...args: MethodArgs<'getReviews'>): Promise<MethodResult<'getReviews'>> {
    this.record('getReviews', args);
    return { reviews: [makeReview()], page: { limit: args[1].limit, offset: args[1].offset, total: 1 } };
  }

  async saveReview(...args: MethodArgs<'saveReview'>): Promise<Review> {
    this.record('saveReview', args);
    return makeReview(args[1]);
  }

  async installApp(...args: MethodArgs<'installApp'>): Promise<InstallProgress> {
    this.record('installApp', args);
    const install = makeInstall({ appId: args[0] });
    this.emitInstalls([...this.installs.filter((i) => i.appId !== args[0]), install]);
    return install;
  }

  async getInstalls(): Promise<InstallProgress[]> {
    this.record('getInstalls', []);
    return this.installs;
  }

  async retireDevice(): Promise<MethodResult<'retireDevice'>> {
    this.record('retireDevice', []);
    this.emit({ ...this.status, retiredAt: '2026-11-24T10:30:00.000Z', nextCheckinAt: null });
    return { retiredAt: '2026-11-24T10:30:00.000Z' };
  }

  onStatusChanged(listener: (status: AgentStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async getOnboarding(): Promise<OnboardingView | null> {
    this.record('getOnboarding', []);
    return this.onboarding;
  }

  /**
   * Failed steps back to pending with their attempt counted, as the agent does; refused when an onboarding has no
   * failed step. Without one it answers null, so the transport tests can call every method with its sample.
   */
  async retryOnboarding(): Promise<OnboardingView | null> {
    this.record('retryOnboarding', []);
    const current = this.onboarding;
    if (current === null) return null;
    if (!current.steps.some((step) => step.status === 'failed')) throw new ServiceError('invalid_input', 'no onboarding step failed, so there is nothing to retry');
    const steps = current.steps.map((step) => (step.status === 'failed' ? { ...step, status: 'pending' as const, attempt: step.attempt + 1, failureMessage: null } : step));
    this.emitOnboarding({ ...current, outcome: 'running', end: null, remainingSeconds: 120, steps, progress: { ...current.progress, failed: 0 } });
    return this.onboarding;
  }

  async finishOnboarding(): Promise<OnboardingView | null> {
    this.record('finishOnboarding', []);
    this.emitOnboarding(null);
    return null;
  }

  onOnboardingChanged(listener: (onboarding: OnboardingView | null) => void): () => void {
    this.onboardingListeners.add(listener);
    return () => this.onboardingListeners.delete(listener);
  }

  /** Changes the onboarding and tells every listener, as the agent does at each step and each second of the countdown. */
  emitOnboarding(onboarding: OnboardingView | null): void {
    this.onboarding = onboarding;
    for (const listener of this.onboardingListeners) listener(onboarding);
  }

  onInstallsChanged(listener: (installs: InstallProgress[]) => void): () => void {
    this.installListeners.add(listener);
    return () => this.installListeners.delete(listener);
  }

  /** Changes the installs and tells every listener, as the agent does while an install goes on. */
  emitInstalls(installs: InstallProgress[]): void {
    this.installs = installs;
    for (const listener of this.installListeners) listener(installs);
  }

  private record(method: MethodName, args: unknown[]): void {
    if (this.failure) throw this.failure;
    this.calls.push({ method, args });
  }

  /** Changes the status and tells every listener, as the agent does after a check-in or a run. */
  emit(status: AgentStatus): void {
    this.status = status;
    for (const listener of this.listeners) listener(status);
  }
}
