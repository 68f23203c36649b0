// Shapes of what the agent keeps on disk (the state its slices make up, outbox entries, run journal), validated whenever read back.
import { z } from 'zod';
import { AgentConfigSchema } from '../../shared/agent-config';
import { RunSummarySchema } from '../../shared/agent-status';
import { DeviceEventSchema } from '../../shared/protocol';
import { ScriptResultSchema } from '../../shared/script-result';
import { TicketClaimsSchema } from '../../shared/ticket';

/** How many run summaries the state keeps for getStatus().recentRuns. */
export const RECENT_RUNS_KEPT = 20;

const Iso = z.iso.datetime({ offset: true });

/**
 * A script configuration version the agent is done with.
 *
 * `started` means the script was handed to the runner: it never runs again (an "execute once" script is not re-run,
 * DESIGN.md §4). `rejected` keeps the sha256 of the refused ticket: the same ticket is not retried, a different one
 * for the same version (the server issues a fresh ticket per check-in) is tried again at that check-in.
 * `scheduled` is a recurring configuration kept in `schedules` while it is assigned. `skipped` was written by agents
 * before issue 5, which did not run recurring schedules: such a version is delivered again.
 */
export const HandledConfigurationSchema = z.object({
  configurationId: z.string(),
  version: z.number().int(),
  outcome: z.enum(['started', 'rejected', 'scheduled', 'skipped']),
  ticketSha256: z.string().nullable(),
  at: Iso,
});
export type HandledConfiguration = z.infer<typeof HandledConfigurationSchema>;

/** A tenant CRL with more revoked serials than this is refused (revocation-list.ts). */
export const MAX_REVOKED_SERIALS = 2000;
const SerialHex = z.string().regex(/^[0-9a-f]{1,40}$/);

/** What the agent knows of its tenant's revoked signing certificates. */
export const RevocationRecordSchema = z.object({
  /** Number of the newest list verified so far; an older or equal number is ignored. */
  crlNumber: z.number().int().min(0),
  /** Revoked serials, lower-case hex without leading zeros; never shrinks. */
  revokedSerials: z.array(SerialHex).max(2 * MAX_REVOKED_SERIALS),
});
export type RevocationRecord = z.infer<typeof RevocationRecordSchema>;

export const ReplayRecordSchema = z.object({
  highestSeq: z.number().int().min(0),
  /** Accepted ticket ids, each kept until its ticket expires. */
  jtis: z.array(z.object({ jti: z.string(), exp: z.number().int() })),
  /** Signing certificates revoked by the newest tenant CRL verified so far (issue 4); absent until the first one arrives. */
  revocation: RevocationRecordSchema.optional(),
});
export type ReplayRecord = z.infer<typeof ReplayRecordSchema>;

/**
 * A verified recurring script configuration the agent keeps running, offline too, until it is replaced or removed
 * (DESIGN.md §5, issue 5).
 *
 * The claims hold the blob's content key and the variables, so this lives only in the 0600 state; the encrypted blob
 * itself is in the state port's blob store under its signed sha256 (issue 10). Runs are planned from a floor: never
 * before `receivedAt`, and only after the last run (both the instant it was for and the wall time it started), so
 * neither a restart nor a clock set back repeats a run.
 */
export const ScheduledConfigurationSchema = z.object({
  configurationId: z.string().min(1).max(64),
  version: z.number().int().min(1),
  /** Claims of the ticket it arrived with, verified then; the ticket's expiry does not end the schedule. */
  claims: TicketClaimsSchema.refine((c) => c.schedule.kind === 'recurring', 'a kept configuration must have a recurring schedule'),
  /**
   * Serial of the certificate that signed its ticket (lower-case hex), so a revocation of it stops the schedule
   * (issue 10). Absent for a schedule kept before issue 10 until the next check-in delivers it again with its signer.
   */
  signerSerial: z.string().regex(/^[0-9a-f]{1,40}$/).optional(),
  receivedAt: Iso,
  /** Wall time the last run started. */
  lastRunAt: Iso.nullable(),
  /** The run instant the last run was for (earlier than lastRunAt for a catch-up run). */
  lastScheduledFor: Iso.nullable(),
  /** The next planned run; null once the schedule has ended. */
  nextRunAt: Iso.nullable(),
  /** The device zone nextRunAt was planned in, so a change of the device's zone is noticed, across restarts too. */
  timeZone: z.string(),
});
export type ScheduledConfiguration = z.infer<typeof ScheduledConfigurationSchema>;

export const AgentStateSchema = z.object({
  serverUrl: z.url({ protocol: /^https?$/ }),
  deviceId: z.string().min(1),
  tenantId: z.string().min(1),
  /** PEM of the tenant root pinned at enrollment; every ticket must chain to it. */
  tenantRootCertificate: z.string().min(1),
  agentConfig: AgentConfigSchema.nullable(),
  enrolledAt: Iso,
  /** How this device enrolled: onboarding in kiosk mode follows only an automated enrollment. Absent before issue 12: PIN. */
  enrollmentMethod: z.enum(['pin', 'automated']).default('pin'),
  lastCheckinAt: Iso.nullable(),
  lastCheckinError: z.string().nullable(),
  nextCheckinAt: Iso.nullable(),
  /** When the server retired the device at its request (issue 11); it checks in no more. Absent while it is in service. */
  retiredAt: Iso.optional(),
  /**
   * The server's retire command the agent is carrying out (issue 13): kept until the server has its confirmation, so a
   * confirmation the network cut short is tried again, after a restart too. Absent otherwise.
   */
  retireCommandId: z.string().min(1).max(200).optional(),
  replay: ReplayRecordSchema,
  handled: z.array(HandledConfigurationSchema),
  /** Absent in state written before issue 5. */
  schedules: z.array(ScheduledConfigurationSchema).optional(),
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
  /** Set for a run of a recurring schedule: the run instant it was for. */
  scheduledFor: Iso.optional(),
  /**
   * The run's processes once started (issue 9): the root (run supervisor, or the script itself) with its start
   * identity, so a restarted agent ends what a dead one left and never a process that reused the pid. Absent in
   * entries written before issue 9 or before the script started.
   */
  process: z.object({ pid: z.number().int().min(1), startId: z.string().max(200).nullable(), supervised: z.boolean() }).optional(),
  /** The run's working folder (run-work-folder.ts) and whom it was handed to, removed at recovery. Absent before issue 9. */
  workFolder: z.object({ holder: z.string().min(1).max(1024), owner: z.object({ uid: z.number().int().min(0), gid: z.number().int().min(0) }).nullable() }).optional(),
  /** Refreshed while the run goes on (process-journal.ts); the end time of an interrupted run. Absent before issue 9. */
  lastAliveAt: Iso.optional(),
});
export type JournalEntry = z.infer<typeof JournalEntrySchema>;

/** The id an outbox entry is stored and deduplicated under. */
export function outboxEntryId(entry: OutboxEntry): string {
  return entry.kind === 'result' ? entry.result.executionId : entry.event.id;
}
