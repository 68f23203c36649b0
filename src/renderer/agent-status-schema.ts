// Checks the AgentStatus JSON the browser bridge sends before the UI trusts it (the renderer may import only types from shared).
import { z } from 'zod';
import type { AgentStatus } from '../preload/contract';
import type { RunStatus } from '../shared/script-result';

// `satisfies` makes the compiler flag a run status added to or removed from src/shared/script-result.ts.
const RUN_STATUSES = {
  completed: true,
  failed: true,
  timed_out: true,
  interrupted: true,
  rejected: true,
} as const satisfies Record<RunStatus, true>;

const Iso = z.string().min(1).max(64);

const RunSummarySchema = z.object({
  executionId: z.string().max(64),
  configurationId: z.string().max(64),
  scriptName: z.string().max(200),
  status: z.enum(Object.keys(RUN_STATUSES) as [RunStatus, ...RunStatus[]]),
  startedAt: Iso,
  durationMs: z.number().min(0),
  exitCode: z.number().int().nullable(),
  signal: z.string().max(16).nullable(),
  timedOut: z.boolean(),
  stdout: z.string(),
  stderr: z.string(),
  error: z.string().nullable(),
});

export const AgentStatusSchema: z.ZodType<AgentStatus> = z.object({
  serverUrl: z.string().max(2048).nullable(),
  deviceId: z.string().max(128).nullable(),
  enrolled: z.boolean(),
  lastCheckinAt: Iso.nullable(),
  lastCheckinError: z.string().nullable(),
  nextCheckinAt: Iso.nullable(),
  recentRuns: z.array(RunSummarySchema).max(500),
});
