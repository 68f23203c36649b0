// The result of one script execution, as the agent reports it and the server stores it (DESIGN.md §4).
import { z } from 'zod';
import { BoundedInt, INT32_MAX, INT32_MIN, JsonCount, Text, Version } from './input-bounds';

export const InterpreterSchema = z.enum(['bash', 'zsh', 'python', 'swift']);
export type Interpreter = z.infer<typeof InterpreterSchema>;

/** How a run ended; `rejected` never ran because its ticket failed a check. */
export const RunStatusSchema = z.enum(['completed', 'failed', 'timed_out', 'interrupted', 'rejected']);
export type RunStatus = z.infer<typeof RunStatusSchema>;

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const Iso = z.iso.datetime({ offset: true });

/**
 * How `stdout` / `stderr` carry the captured bytes: `utf8` is the text itself, `base64` the bytes of an output that is
 * not valid UTF-8 or holds NUL (issue 9). Absent means `utf8`, as older agents send it.
 */
export const OutputEncodingSchema = z.enum(['utf8', 'base64']);
export type OutputEncoding = z.infer<typeof OutputEncodingSchema>;

/** Largest stdout or stderr text: capped on the device at the max response size; the server caps again so a bad agent cannot flood it. */
const MAX_OUTPUT_CHARS = 1024 * 1024;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Output is bytes, not text: in `utf8` it may hold NUL (it is only ever stored inside JSON, where NUL is escaped). */
const Output = z.string().max(MAX_OUTPUT_CHARS);

export const ScriptResultSchema = z.object({
  executionId: z.uuid(),
  configurationId: Text(64).min(1),
  scriptId: Text(64).min(1),
  scriptVersion: Version,
  scriptName: Text(200),
  status: RunStatusSchema,
  startedAt: Iso,
  endedAt: Iso,
  durationMs: JsonCount,
  exitCode: BoundedInt(INT32_MIN, INT32_MAX).nullable(),
  signal: Text(16).nullable(),
  timedOut: z.boolean(),
  stdout: Output,
  stderr: Output,
  stdoutEncoding: OutputEncodingSchema.optional(),
  stderrEncoding: OutputEncodingSchema.optional(),
  stdoutBytes: JsonCount,
  stderrBytes: JsonCount,
  stdoutTruncated: z.boolean(),
  stderrTruncated: z.boolean(),
  stdoutSha256: Sha256Hex.nullable(),
  stderrSha256: Sha256Hex.nullable(),
  error: Text(2000).nullable(),
})
  .refine((r) => r.stdoutEncoding !== 'base64' || BASE64.test(r.stdout), { message: 'stdout is not base64 although stdoutEncoding says so', path: ['stdout'] })
  .refine((r) => r.stderrEncoding !== 'base64' || BASE64.test(r.stderr), { message: 'stderr is not base64 although stderrEncoding says so', path: ['stderr'] });
export type ScriptResult = z.infer<typeof ScriptResultSchema>;
