// A small in-memory agent service for UI, IPC and bridge tests: set a status, emit changes, count calls.
import type { AgentServiceContract, EnrollParams, EnrollResult, MethodArgs, MethodName, MethodResult } from '../../src/shared/agent-service-contract';
import type { AgentStatus, RunSummary } from '../../src/shared/agent-status';

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
};

export class FakeAgentService implements AgentServiceContract {
  status: AgentStatus;
  checkInCalls = 0;
  /** Every method called, in order, with the arguments it got. */
  readonly calls: { method: MethodName; args: unknown[] }[] = [];
  /** When set, every method rejects with it. */
  failure: Error | null = null;
  readonly listeners = new Set<(status: AgentStatus) => void>();

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

  onStatusChanged(listener: (status: AgentStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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
