// Turns the journal entries a dead agent left (it died mid-run) into interrupted results, so no run is lost and none repeated.
import type { AgentState, JournalEntry } from '../core/agent-state';
import type { AgentPorts } from '../core/ports';
import { recoverInterruptedRun, summarize, withRecentRun } from '../delivery/run-records';
import { schedulesOf, withScheduleRun } from '../delivery/scheduled-configurations';
import { findHandled, withHandled } from '../delivery/script-delivery';

/**
 * Reports each leftover journal entry as an interrupted result and removes it.
 *
 * The run is never repeated: an "execute once" version is marked started, a scheduled run moves its schedule's floor.
 */
export async function recoverInterruptedRuns(ports: AgentPorts, update: (change: (state: AgentState) => AgentState) => Promise<void>): Promise<void> {
  for (const entry of await ports.state.listJournal()) {
    const result = await recoverInterruptedRun(entry, ports);
    await ports.state.putOutbox({ kind: 'result', result });
    await update((s) => ({ ...neverAgain(s, entry, result.endedAt), recentRuns: withRecentRun(s.recentRuns, summarize(result)) }));
    await ports.state.removeJournal(entry.executionId);
    ports.logger.warn('reported a run interrupted by an agent stop', { executionId: entry.executionId, configurationId: entry.configurationId });
  }
}

/** The state with the run of a leftover journal entry made unrepeatable. */
function neverAgain(state: AgentState, entry: JournalEntry, at: string): AgentState {
  if (entry.scheduledFor !== undefined) {
    const kept = schedulesOf(state).find((s) => s.configurationId === entry.configurationId && s.version === entry.configurationVersion);
    return kept === undefined ? state : withScheduleRun(state, kept, new Date(entry.scheduledFor), new Date(entry.startedAt));
  }
  if (findHandled(state, entry.configurationId, entry.configurationVersion)?.outcome === 'started') return state;
  return withHandled(state, { configurationId: entry.configurationId, version: entry.configurationVersion, outcome: 'started', ticketSha256: null, at });
}
