// Test helper: a completed script result as an agent would report it, for the fields a server test cares about.
import { randomUUID } from 'node:crypto';
import type { ScriptResult } from '../../src/shared/script-result';

export interface SampleResultFields {
  configurationId: string;
  scriptId: string;
  scriptVersion: number;
  scriptName: string;
  stdout: string;
  endedAt: string;
}

/** A completed run with exit code 0 that printed `stdout`, under a fresh execution id. */
export function sampleResult(fields: SampleResultFields): ScriptResult {
  const { stdout, endedAt, ...script } = fields;
  return {
    ...script,
    executionId: randomUUID(),
    status: 'completed',
    startedAt: endedAt,
    endedAt,
    durationMs: 5,
    exitCode: 0,
    signal: null,
    timedOut: false,
    stdout,
    stderr: '',
    stdoutBytes: Buffer.byteLength(stdout),
    stderrBytes: 0,
    stdoutTruncated: false,
    stderrTruncated: false,
    stdoutSha256: null,
    stderrSha256: null,
    error: null,
  };
}
