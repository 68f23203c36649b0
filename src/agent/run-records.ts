// Turns runs into what is reported and remembered: full results, interrupted results from the journal, status summaries.
import type { RunSummary } from '../shared/agent-status';
import type { ScriptResult } from '../shared/script-result';
import { RECENT_RUNS_KEPT, type JournalEntry } from './agent-state';

/** The result of a run the agent lost track of because it stopped mid-run; the script is not run again. */
export function interruptedResult(entry: JournalEntry, now: Date): ScriptResult {
  return {
    executionId: entry.executionId,
    configurationId: entry.configurationId,
    scriptId: entry.scriptId,
    scriptVersion: entry.scriptVersion,
    scriptName: entry.scriptName,
    status: 'interrupted',
    startedAt: entry.startedAt,
    endedAt: now.toISOString(),
    durationMs: Math.max(0, now.getTime() - Date.parse(entry.startedAt)),
    exitCode: null,
    signal: null,
    timedOut: false,
    stdout: '',
    stderr: '',
    stdoutBytes: 0,
    stderrBytes: 0,
    stdoutTruncated: false,
    stderrTruncated: false,
    stdoutSha256: null,
    stderrSha256: null,
    error: 'the agent stopped while the script was running, so its outcome is unknown; it was not run again',
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
