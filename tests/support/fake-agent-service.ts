// A small in-memory AgentServiceApi for UI, IPC and bridge tests: set a status, emit changes, count calls.
import type { AgentServiceApi, AgentStatus, RunSummary } from '../../src/shared/agent-status';

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

export class FakeAgentService implements AgentServiceApi {
  status: AgentStatus;
  checkInCalls = 0;
  /** When set, getStatus and checkInNow reject with it. */
  failure: Error | null = null;
  readonly listeners = new Set<(status: AgentStatus) => void>();

  constructor(status: AgentStatus = makeStatus()) {
    this.status = status;
  }

  async getStatus(): Promise<AgentStatus> {
    if (this.failure) throw this.failure;
    return this.status;
  }

  async checkInNow(): Promise<AgentStatus> {
    if (this.failure) throw this.failure;
    this.checkInCalls += 1;
    this.emit({ ...this.status, lastCheckinAt: '2026-11-24T10:20:00.000Z' });
    return this.status;
  }

  onStatusChanged(listener: (status: AgentStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Changes the status and tells every listener, as the agent does after a check-in or a run. */
  emit(status: AgentStatus): void {
    this.status = status;
    for (const listener of this.listeners) listener(status);
  }
}
