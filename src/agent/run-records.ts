// Turns runs into what is reported and remembered: full results, interrupted results from the journal, status summaries.
import type { RunSummary } from '../shared/agent-status';
import type { ScriptResult } from '../shared/script-result';
import { RECENT_RUNS_KEPT, type JournalEntry } from './agent-state';
import { outcomeWithoutOutput } from './script-runner';

/** The result of a run the agent lost track of because it stopped mid-run; the script is not run again. */
export function interruptedResult(entry: JournalEntry, now: Date): ScriptResult {
  return {
    executionId: entry.executionId,
    configurationId: entry.configurationId,
    scriptId: entry.scriptId,
    scriptVersion: entry.scriptVersion,
    scriptName: entry.scriptName,
    ...outcomeWithoutOutput('interrupted', new Date(entry.startedAt), now, 'the agent stopped while the script was running, so its outcome is unknown; it was not run again'),
  };
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
