// The AgentStatus the UIs show, read off the kept state and what the agent knows of its own troubles.
import type { AgentStatus } from '../../shared/agent-status';
import type { AgentState } from '../core/agent-state';

/**
 * The status of `state` (null before enrollment). `localProblem` (unreadable state, unusable key, a disk refusing
 * writes) comes first as the check-in error: it explains one the state may still hold from before; `cycleError` says
 * why a check-in could not even start.
 */
export function statusOf(state: AgentState | null, localProblem: string | null, cycleError: string | null): AgentStatus {
  return {
    serverUrl: state?.serverUrl ?? null,
    deviceId: state?.deviceId ?? null,
    enrolled: state !== null,
    enrolledAt: state?.enrolledAt ?? null,
    retiredAt: state?.retiredAt ?? null,
    lastCheckinAt: state?.lastCheckinAt ?? null,
    lastCheckinError: localProblem ?? state?.lastCheckinError ?? cycleError,
    nextCheckinAt: state?.nextCheckinAt ?? null,
    recentRuns: state?.recentRuns ?? [],
  };
}
