// Handles one script assignment from a check-in (open the ticket, fetch and open the blob, then run it once or keep its schedule) and runs kept schedules.
import { randomUUID, type KeyObject } from 'node:crypto';
import { sha256Hex } from '../../shared/node/blob-cipher';
import type { DeviceEvent, ScriptAssignment } from '../../shared/protocol';
import type { ScriptResult } from '../../shared/script-result';
import type { TicketClaims } from '../../shared/ticket';
import type { AgentState, HandledConfiguration, JournalEntry, ScheduledConfiguration } from '../core/agent-state';
import { failureKindOf } from './delivery-failure';
import { DeviceApiError, type DeviceApiClient } from '../transport/device-api-client';
import { boundedHandled } from './handled-configurations';
import type { AgentPorts } from '../core/ports';
import { RunJournal } from './process-journal';
import { acceptTicket, replayStateOf } from '../trust/replay-record';
import { summarize, withRecentRun } from './run-records';
import { findSchedule, withSchedule, withoutSchedule, withScheduleRun } from './scheduled-configurations';
import { usableTimeZone, withPlannedRun, type DeviceTimeZone } from '../schedule/scheduler';
import type { ScriptRunner } from '../runner/script-runner';
import { openScriptBlob, openSignedTicket, TicketRejectedError, type OpenedTicket } from '../trust/ticket-verifier';

/** What running a script needs from the agent service: its ports, a runner and serialized access to the state. */
export interface RunContext {
  ports: AgentPorts;
  runner: ScriptRunner;
  timeZone: DeviceTimeZone;
  state(): AgentState;
  /** Applies `change` to the state and writes it durably before resolving. */
  update(change: (state: AgentState) => AgentState): Promise<void>;
  /** Tells the UIs that a run finished. */
  notify(): void;
}

/** What a delivery needs on top: an API client and the device key the tickets are encrypted to. */
export interface DeliveryContext extends RunContext {
  api: DeviceApiClient;
  deviceKey: KeyObject;
}

/**
 * Whether this assignment still needs work: not yet handled, rejected before with a different ticket than this one,
 * skipped by an agent older than issue 5, a kept schedule that is no longer kept, or one kept before issue 10 whose
 * signer is unknown: delivering it again records its signer, so a revocation can stop it.
 */
export function needsDelivery(state: AgentState, assignment: ScriptAssignment): boolean {
  const handled = findHandled(state, assignment.configurationId, assignment.version);
  if (handled === undefined || handled.outcome === 'skipped') return true;
  if (handled.outcome === 'scheduled') return findSchedule(state, assignment.configurationId, assignment.version)?.signerSerial === undefined;
  return handled.outcome === 'rejected' && handled.ticketSha256 !== sha256Hex(assignment.ticket);
}

/**
 * Delivers one assignment. A refused ticket or blob runs nothing and becomes a `ticket.rejected` device event; other
 * errors (disk, bugs) propagate and leave the assignment unhandled, so the next check-in tries again.
 */
export async function deliverScript(ctx: DeliveryContext, assignment: ScriptAssignment): Promise<void> {
  const { logger } = ctx.ports;
  try {
    const { claims, signerSerial } = await openAssignedTicket(ctx, assignment);
    const blob = await download(ctx, claims);
    // Opened now even when kept for later, so a bad blob is refused at delivery rather than at its first run.
    const script = openScriptBlob(blob, claims);
    if (claims.schedule.kind === 'once') {
      await runOnce(ctx, assignment, claims, script);
    } else {
      await keepSchedule(ctx, claims, signerSerial, blob);
    }
  } catch (error) {
    if (!(error instanceof TicketRejectedError)) throw error;
    logger.warn('rejected a script ticket; nothing ran', { configurationId: assignment.configurationId, code: error.code, reason: error.message });
    await reportRejection(ctx, assignment.configurationId, error);
    await markHandled(ctx, assignment, 'rejected', sha256Hex(assignment.ticket));
  }
}

/** Puts a `ticket.rejected` event for the device log in the outbox. */
async function reportRejection(ctx: RunContext, configurationId: string, error: TicketRejectedError): Promise<void> {
  const event: DeviceEvent = {
    id: randomUUID(),
    type: 'ticket.rejected',
    at: ctx.ports.clock.now().toISOString(),
    message: `${error.code}: ${error.message}`.slice(0, 2000),
    data: { configurationId, code: error.code },
  };
  await ctx.ports.state.putOutbox({ kind: 'event', event });
}

/**
 * Keeps a verified recurring configuration (claims, signer, and the encrypted blob in the blob store) so the
 * scheduler runs it, offline too, after its ticket expires; it replaces any other version of that configuration.
 * The same version kept already (before issue 10, without its signer) keeps its floor, so no run happens again.
 */
async function keepSchedule(ctx: DeliveryContext, claims: TicketClaims, signerSerial: string, blob: Buffer): Promise<void> {
  const now = ctx.ports.clock.now();
  const previous = findSchedule(ctx.state(), claims.configurationId, claims.configurationVersion);
  // Stored before the schedule that names it, so a kept schedule never points at a blob that is not there.
  await ctx.ports.state.blobs.put(blob);
  const entry = withPlannedRun(
    {
      configurationId: claims.configurationId,
      version: claims.configurationVersion,
      claims,
      signerSerial,
      receivedAt: previous?.receivedAt ?? now.toISOString(),
      lastRunAt: previous?.lastRunAt ?? null,
      lastScheduledFor: previous?.lastScheduledFor ?? null,
      nextRunAt: null,
      timeZone: 'UTC',
    },
    usableTimeZone(ctx.timeZone()),
  );
  await ctx.update((s) =>
    withHandled(withSchedule(s, entry), { configurationId: entry.configurationId, version: entry.version, outcome: 'scheduled', ticketSha256: null, at: entry.receivedAt }),
  );
  ctx.ports.logger.info('keeping a recurring script schedule', { configurationId: entry.configurationId, version: entry.version, nextRunAt: entry.nextRunAt });
}

/**
 * Runs a kept recurring configuration for the run instant `scheduledFor`.
 *
 * The journal entry comes first and then the moved floor, both durable before the script starts: a crash at any
 * point is reported as interrupted after restart, and the run is not repeated (recovery moves the floor from the
 * journal too). A blob that no longer matches its signed claims runs nothing and drops the schedule, so the next
 * check-in delivers the configuration afresh.
 */
export async function runScheduled(ctx: RunContext, entry: ScheduledConfiguration, scheduledFor: Date): Promise<void> {
  let script: Buffer;
  try {
    // A blob gone from the store reads as empty, so it is refused like a changed one and delivered afresh.
    const blob = (await ctx.ports.state.blobs.get(entry.claims.blob.sha256)) ?? Buffer.alloc(0);
    script = openScriptBlob(blob, entry.claims);
  } catch (error) {
    if (!(error instanceof TicketRejectedError)) throw error;
    ctx.ports.logger.error('a kept script no longer matches its signed claims; its schedule is dropped', { configurationId: entry.configurationId, code: error.code });
    await reportRejection(ctx, entry.configurationId, error);
    await ctx.update((s) => withoutSchedule(s, entry.configurationId, entry.version));
    return;
  }
  const journal = journalEntryFor(entry.claims, ctx.ports.clock.now(), scheduledFor);
  await ctx.ports.state.putJournal(journal);
  await ctx.update((s) => withScheduleRun(s, entry, scheduledFor, new Date(journal.startedAt)));
  await runAndReport(ctx, journal, entry.claims, script);
}

/** Opens the ticket, checks it belongs to the assignment it came with, and records it as used. */
async function openAssignedTicket(ctx: DeliveryContext, assignment: ScriptAssignment): Promise<OpenedTicket> {
  const state = ctx.state();
  const now = ctx.ports.clock.now();
  const trust = { rootCertificatePem: state.tenantRootCertificate, tenantId: state.tenantId, deviceId: state.deviceId, deviceKey: ctx.deviceKey };
  const opened = await openSignedTicket(assignment.ticket, trust, replayStateOf(state.replay), now);
  const { claims } = opened;
  // The bookkeeping of what ran is keyed by the assignment, so a ticket for another configuration must not hide under it.
  if (claims.configurationId !== assignment.configurationId || claims.configurationVersion !== assignment.version) {
    throw new TicketRejectedError('claims_invalid', 'ticket is for another script configuration than the one it was delivered with');
  }
  await ctx.update((s) => ({ ...s, replay: acceptTicket(s.replay, claims, now) }));
  return opened;
}

async function download(ctx: DeliveryContext, claims: TicketClaims): Promise<Buffer> {
  try {
    return await ctx.api.downloadBlob(ctx.state().deviceId, claims.blob.path, claims.blob.size);
  } catch (error) {
    if (!(error instanceof DeviceApiError)) throw error;
    // A server or network that is down for now (503, 429, a reset) is no verdict on the ticket: not marked handled,
    // the configuration is delivered again at the next check-in (issue 9).
    if (error.failure?.code === 'network' || (error.status !== null && failureKindOf(error) === 'retry')) throw error;
    if (error.failure?.code === 'too_large') throw new TicketRejectedError('blob_too_large', `script blob is larger than its signed ${claims.blob.size} bytes`);
    // A stall or a trickle is the slow-retrieval attack (docs/security.md): it gets its own code in the device log.
    if (error.failure?.code === 'timeout') throw new TicketRejectedError('blob_download_timeout', error.message);
    throw new TicketRejectedError('blob_download_failed', error.message);
  }
}

/**
 * Runs the script of an "execute once" configuration version.
 *
 * The journal entry and the handled mark are durable before the script starts, so a crash mid-run is reported as
 * interrupted after restart and the script is never run a second time.
 */
async function runOnce(ctx: DeliveryContext, assignment: ScriptAssignment, claims: TicketClaims, script: Buffer): Promise<void> {
  const journal = journalEntryFor(claims, ctx.ports.clock.now(), null);
  await ctx.ports.state.putJournal(journal);
  await markHandled(ctx, assignment, 'started', null);
  await runAndReport(ctx, journal, claims, script);
}

function journalEntryFor(claims: TicketClaims, now: Date, scheduledFor: Date | null): JournalEntry {
  return {
    executionId: randomUUID(),
    configurationId: claims.configurationId,
    configurationVersion: claims.configurationVersion,
    scriptId: claims.script.id,
    scriptVersion: claims.script.version,
    scriptName: claims.script.name,
    startedAt: now.toISOString(),
    ...(scheduledFor === null ? {} : { scheduledFor: scheduledFor.toISOString() }),
  };
}

/** Runs a script whose journal entry is written, puts its result in the outbox, then clears the journal entry. */
async function runAndReport(ctx: RunContext, journal: JournalEntry, claims: TicketClaims, script: Buffer): Promise<void> {
  const { state: store } = ctx.ports;
  ctx.ports.logger.info('running a script', { executionId: journal.executionId, configurationId: journal.configurationId, script: claims.script.name });
  const runJournal = new RunJournal(journal, store, ctx.ports.clock, ctx.ports.logger);
  const outcome = await ctx.runner.run({
    executionId: journal.executionId,
    deviceId: ctx.state().deviceId,
    interpreter: claims.script.interpreter,
    script,
    variables: claims.variables,
    runAsRoot: claims.script.runAsRoot,
    maxRunTimeSeconds: claims.limits.maxRunTimeSeconds,
    maxResponseSizeKb: claims.limits.maxResponseSizeKb,
    onStarted: (start) => runJournal.started(start),
  });
  await runJournal.stop();
  const result: ScriptResult = {
    executionId: journal.executionId,
    configurationId: journal.configurationId,
    scriptId: journal.scriptId,
    scriptVersion: journal.scriptVersion,
    scriptName: journal.scriptName,
    ...outcome,
  };
  await store.putOutbox({ kind: 'result', result });
  await store.removeJournal(journal.executionId);
  await ctx.update((s) => ({ ...s, recentRuns: withRecentRun(s.recentRuns, summarize(result)) }));
  ctx.ports.logger.info('script finished', { executionId: result.executionId, status: result.status, exitCode: result.exitCode });
  ctx.notify();
}

export function findHandled(state: AgentState, configurationId: string, version: number): HandledConfiguration | undefined {
  return state.handled.find((h) => h.configurationId === configurationId && h.version === version);
}

/** Marks a configuration version handled; a later outcome replaces an earlier one. The list stays bounded (boundedHandled). */
export function withHandled(state: AgentState, entry: HandledConfiguration): AgentState {
  const others = state.handled.filter((h) => !(h.configurationId === entry.configurationId && h.version === entry.version));
  return { ...state, handled: boundedHandled([...others, entry]) };
}


async function markHandled(ctx: DeliveryContext, assignment: ScriptAssignment, outcome: HandledConfiguration['outcome'], ticketSha256: string | null): Promise<void> {
  const at = ctx.ports.clock.now().toISOString();
  await ctx.update((s) => withHandled(s, { configurationId: assignment.configurationId, version: assignment.version, outcome, ticketSha256, at }));
}
