// What the agent core tells its UI: the one zod definition of AgentStatus and RunSummary, kept on disk and sent to every UI.
import { z } from 'zod';
import { RunStatusSchema } from './script-result';

const Iso = z.iso.datetime({ offset: true });

/** How many runs a status may carry: the agent keeps far fewer, so more means the sender is not our agent. */
const MAX_STATUS_RUNS = 500;

/** One finished run as the status page lists it; the agent also keeps these in its state document. */
export const RunSummarySchema = z.object({
  // Bounded like the ScriptResult fields they are copied from (script-result.ts).
  executionId: z.string().max(64),
  configurationId: z.string().max(64),
  scriptName: z.string().max(200),
  status: RunStatusSchema,
  startedAt: Iso,
  durationMs: z.number().int().min(0),
  exitCode: z.number().int().nullable(),
  signal: z.string().max(16).nullable(),
  timedOut: z.boolean(),
  stdout: z.string(),
  stderr: z.string(),
  error: z.string().nullable(),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

export const AgentStatusSchema = z.object({
  serverUrl: z.string().max(2048).nullable(),
  deviceId: z.string().max(128).nullable(),
  enrolled: z.boolean(),
  /** When this device enrolled (the About screen); null before enrollment. */
  enrolledAt: Iso.nullable(),
  /** When the server retired this device at its request; it checks in no more. Null while it is in service. */
  retiredAt: Iso.nullable(),
  lastCheckinAt: Iso.nullable(),
  /** Why the last check-in failed, in one sentence; null when it succeeded. */
  lastCheckinError: z.string().nullable(),
  nextCheckinAt: Iso.nullable(),
  recentRuns: z.array(RunSummarySchema).max(MAX_STATUS_RUNS),
});
export type AgentStatus = z.infer<typeof AgentStatusSchema>;
