// The agent state's kept recurring configurations: keep, replace, stop on removal or a revoked signer, and advance past a run.
import type { ScriptAssignment } from '../../shared/protocol';
import type { AgentState, ScheduledConfiguration } from '../core/agent-state';

/** The kept configurations of a state (none in state written before issue 5). */
export function schedulesOf(state: AgentState): ScheduledConfiguration[] {
  return state.schedules ?? [];
}

export function findSchedule(state: AgentState, configurationId: string, version: number): ScheduledConfiguration | undefined {
  return schedulesOf(state).find((s) => s.configurationId === configurationId && s.version === version);
}

/** Keeps `entry`; any other version of the same configuration is replaced by it. */
export function withSchedule(state: AgentState, entry: ScheduledConfiguration): AgentState {
  return { ...state, schedules: [...schedulesOf(state).filter((s) => s.configurationId !== entry.configurationId), entry] };
}

/** Drops the kept version `version` of a configuration and its `scheduled` mark, so a later delivery keeps it afresh. */
export function withoutSchedule(state: AgentState, configurationId: string, version: number): AgentState {
  const same = (s: { configurationId: string; version: number }) => s.configurationId === configurationId && s.version === version;
  return {
    ...state,
    schedules: schedulesOf(state).filter((s) => !same(s)),
    handled: state.handled.filter((h) => !(same(h) && h.outcome === 'scheduled')),
  };
}

/**
 * The kept configurations a check-in no longer assigns in that version: removed from the device, or replaced by a new
 * version (whatever became of the new one). Only a check-in answer can say this, so offline the schedules go on.
 */
export function unassignedSchedules(state: AgentState, assignments: readonly ScriptAssignment[]): ScheduledConfiguration[] {
  return schedulesOf(state).filter((s) => !assignments.some((a) => a.configurationId === s.configurationId && a.version === s.version));
}

/** The kept configurations whose ticket was signed by a certificate the kept revocation list revokes (issue 10). */
export function revokedSchedules(state: AgentState): ScheduledConfiguration[] {
  const revoked = new Set(state.replay.revocation?.revokedSerials ?? []);
  return schedulesOf(state).filter((s) => s.signerSerial !== undefined && revoked.has(s.signerSerial));
}

/** Records that a run for `scheduledFor` started at `startedAt`: later planning starts after both. */
export function withScheduleRun(state: AgentState, entry: ScheduledConfiguration, scheduledFor: Date, startedAt: Date): AgentState {
  const later = (a: string | null, b: Date) => (a !== null && Date.parse(a) > b.getTime() ? a : b.toISOString());
  return {
    ...state,
    schedules: schedulesOf(state).map((s) =>
      s.configurationId === entry.configurationId && s.version === entry.version
        ? { ...s, lastRunAt: later(s.lastRunAt, startedAt), lastScheduledFor: later(s.lastScheduledFor, scheduledFor) }
        : s,
    ),
  };
}
