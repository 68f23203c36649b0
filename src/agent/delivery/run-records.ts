// Turns runs into what is reported and remembered: full results, interrupted results from the journal, status summaries.
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RunSummary } from '../../shared/agent-status';
import type { ScriptResult } from '../../shared/script-result';
import { RECENT_RUNS_KEPT, type JournalEntry } from '../core/agent-state';
import type { AgentPorts } from '../core/ports';
import { endLeftoverRun } from '../runner/process-containment';
import { RunWorkFolder } from '../runner/run-work-folder';
import { outcomeWithoutOutput } from '../runner/script-runner';

/**
 * The result of a run the agent lost track of because it stopped mid-run; the script is not run again.
 *
 * It ended when the agent was last seen alive during it (the journal heartbeat), not at the restart; an entry from
 * before issue 9 has no heartbeat and is taken to have ended when it started.
 */
export function interruptedResult(entry: JournalEntry): ScriptResult {
  return {
    executionId: entry.executionId,
    configurationId: entry.configurationId,
    scriptId: entry.scriptId,
    scriptVersion: entry.scriptVersion,
    scriptName: entry.scriptName,
    ...outcomeWithoutOutput('interrupted', new Date(entry.startedAt), new Date(entry.lastAliveAt ?? entry.startedAt), 'the agent stopped while the script was running, so its outcome is unknown; it was not run again'),
  };
}

/** Ends every process a dead agent's run left behind and removes its folder (issue 9), then gives its interrupted result. */
export async function recoverInterruptedRun(entry: JournalEntry, ports: Pick<AgentPorts, 'spawner' | 'logger'>): Promise<ScriptResult> {
  if (entry.process !== undefined) {
    const { killed, left } = await endLeftoverRun(entry.process, ports.spawner);
    const fields = { executionId: entry.executionId, killed, left };
    if (killed > 0 || left > 0) ports.logger.warn('ended the processes an interrupted script run left behind', fields);
    if (left < 0) ports.logger.warn('could not end what an interrupted script run left behind: this platform cannot tell its processes apart from reused pids', fields);
  }
  // Only once its processes are gone, as after any run; a folder already removed is no error.
  const folder = entry.workFolder === undefined ? null : RunWorkFolder.fromRecord(entry.workFolder);
  if (folder !== null && existsSync(dirname(folder.path))) {
    await folder.remove(ports.spawner, ports.logger).catch((error: unknown) =>
      ports.logger.warn('could not remove the working folder of an interrupted script run', { executionId: entry.executionId, reason: String(error) }),
    );
  }
  return interruptedResult(entry);
}

export function summarize(result: ScriptResult): RunSummary {
  return {
    executionId: result.executionId,
    configurationId: result.configurationId,
    scriptName: result.scriptName,
    status: result.status,
    startedAt: result.startedAt,
    durationMs: result.durationMs,
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut: result.timedOut,
    stdout: result.stdout,
    stderr: result.stderr,
    error: result.error,
  };
}

/** Newest first, at most RECENT_RUNS_KEPT. */
export function withRecentRun(runs: RunSummary[], run: RunSummary): RunSummary[] {
  return [run, ...runs.filter((r) => r.executionId !== run.executionId)].slice(0, RECENT_RUNS_KEPT);
}
