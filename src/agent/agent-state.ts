// Shapes of what the agent keeps on disk (state document, outbox entries, run journal), validated whenever read back.
import { z } from 'zod';
import { AgentConfigSchema } from '../shared/agent-config';
import { DeviceEventSchema } from '../shared/protocol';
import { RunStatusSchema, ScriptResultSchema } from '../shared/script-result';

/** How many run summaries the state keeps for getStatus().recentRuns. */
export const RECENT_RUNS_KEPT = 20;

const Iso = z.iso.datetime({ offset: true });

export const RunSummarySchema = z.object({
  executionId: z.string(),
  configurationId: z.string(),
  scriptName: z.string(),
  status: RunStatusSchema,
  startedAt: Iso,
  durationMs: z.number().int().min(0),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  timedOut: z.boolean(),
  stdout: z.string(),
  stderr: z.string(),
  error: z.string().nullable(),
});

/**
 * A script configuration version the agent is done with.
 *
 * `started` means the script was handed to the runner: it never runs again (an "execute once" script is not re-run,
 * DESIGN.md §4). `rejected` keeps the sha256 of the refused ticket: the same ticket is not retried, a different one
 * for the same version (the server issues a fresh ticket per check-in) is tried again at that check-in.
 * `skipped` is a schedule this agent does not run yet (recurring, issue 5).
 */
export const HandledConfigurationSchema = z.object({
  configurationId: z.string(),
  version: z.number().int(),
  outcome: z.enum(['started', 'rejected', 'skipped']),
  ticketSha256: z.string().nullable(),
  at: Iso,
});
export type HandledConfiguration = z.infer<typeof HandledConfigurationSchema>;

export const ReplayRecordSchema = z.object({
  highestSeq: z.number().int().min(0),
  /** Accepted ticket ids, each kept until its ticket expires. */
  jtis: z.array(z.object({ jti: z.string(), exp: z.number().int() })),
});
export type ReplayRecord = z.infer<typeof ReplayRecordSchema>;

export const AgentStateSchema = z.object({
  serverUrl: z.url({ protocol: /^https?$/ }),
  deviceId: z.string().min(1),
  tenantId: z.string().min(1),
  /** PEM of the tenant root pinned at enrollment; every ticket must chain to it. */
  tenantRootCertificate: z.string().min(1),
  agentConfig: AgentConfigSchema.nullable(),
  enrolledAt: Iso,
  lastCheckinAt: Iso.nullable(),
  lastCheckinError: z.string().nullable(),
  nextCheckinAt: Iso.nullable(),
  replay: ReplayRecordSchema,
  handled: z.array(HandledConfigurationSchema),
  recentRuns: z.array(RunSummarySchema).max(RECENT_RUNS_KEPT),
});
export type AgentState = z.infer<typeof AgentStateSchema>;

export const OutboxEntrySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('result'), result: ScriptResultSchema }),
  z.object({ kind: z.literal('event'), event: DeviceEventSchema }),
]);
export type OutboxEntry = z.infer<typeof OutboxEntrySchema>;

/** Written before a script starts and removed once its result is in the outbox; a leftover means the agent died mid-run. */
export const JournalEntrySchema = z.object({
  executionId: z.uuid(),
  configurationId: z.string().min(1).max(64),
  configurationVersion: z.number().int().min(1),
  scriptId: z.string().min(1).max(64),
  scriptVersion: z.number().int().min(1),
  scriptName: z.string().max(200),
  startedAt: Iso,
});
export type JournalEntry = z.infer<typeof JournalEntrySchema>;

/** The id an outbox entry is stored and deduplicated under. */
export function outboxEntryId(entry: OutboxEntry): string {
  return entry.kind === 'result' ? entry.result.executionId : entry.event.id;
}
