// The result of one script execution, as the agent reports it and the server stores it (DESIGN.md §4).
import { z } from 'zod';

export const InterpreterSchema = z.enum(['bash', 'zsh', 'python', 'swift']);
export type Interpreter = z.infer<typeof InterpreterSchema>;

/** How a run ended; `rejected` never ran because its ticket failed a check. */
export const RunStatusSchema = z.enum(['completed', 'failed', 'timed_out', 'interrupted', 'rejected']);
export type RunStatus = z.infer<typeof RunStatusSchema>;

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const Iso = z.iso.datetime({ offset: true });

export const ScriptResultSchema = z.object({
  executionId: z.uuid(),
  configurationId: z.string().min(1).max(64),
  scriptId: z.string().min(1).max(64),
  scriptVersion: z.number().int().min(1),
  scriptName: z.string().max(200),
  status: RunStatusSchema,
  startedAt: Iso,
  endedAt: Iso,
  durationMs: z.number().int().min(0),
  exitCode: z.number().int().nullable(),
  signal: z.string().max(16).nullable(),
  timedOut: z.boolean(),
  // Capped on the device at the max response size; the server caps again so a bad agent cannot flood it.
  stdout: z.string().max(1024 * 1024),
  stderr: z.string().max(1024 * 1024),
  stdoutBytes: z.number().int().min(0),
  stderrBytes: z.number().int().min(0),
  stdoutTruncated: z.boolean(),
  stderrTruncated: z.boolean(),
  stdoutSha256: Sha256Hex.nullable(),
  stderrSha256: Sha256Hex.nullable(),
  error: z.string().max(2000).nullable(),
});
export type ScriptResult = z.infer<typeof ScriptResultSchema>;
