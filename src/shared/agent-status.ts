// What the agent core tells its UI: the AgentService status shape shared by main, the browser bridge and the renderer.
import type { RunStatus } from './script-result';

export interface RunSummary {
  executionId: string;
  configurationId: string;
  scriptName: string;
  status: RunStatus;
  startedAt: string;
  durationMs: number;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  error: string | null;
}

export interface AgentStatus {
  serverUrl: string | null;
  deviceId: string | null;
  enrolled: boolean;
  lastCheckinAt: string | null;
  /** Why the last check-in failed, in one sentence; null when it succeeded. */
  lastCheckinError: string | null;
  nextCheckinAt: string | null;
  recentRuns: RunSummary[];
}

/** The agent service as its UIs see it: the contract behind AgentApi (preload) and the browser bridge. */
export interface AgentServiceApi {
  getStatus(): Promise<AgentStatus>;
  checkInNow(): Promise<AgentStatus>;
  /** Calls back on every status change; returns the unsubscribe function. */
  onStatusChanged(listener: (status: AgentStatus) => void): () => void;
}
