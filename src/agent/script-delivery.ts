// Handles one script assignment from a check-in: open the ticket, fetch and open the blob, run once, put the result in the outbox.
import { randomUUID, type KeyObject } from 'node:crypto';
import { sha256Hex } from '../shared/blob-cipher';
import type { DeviceEvent, ScriptAssignment } from '../shared/protocol';
import type { ScriptResult } from '../shared/script-result';
import type { TicketClaims } from '../shared/ticket';
import type { AgentState, HandledConfiguration, JournalEntry } from './agent-state';
import { DeviceApiError, type DeviceApiClient } from './device-api-client';
import type { AgentPorts } from './ports';
import { acceptTicket, replayStateOf } from './replay-record';
import { summarize, withRecentRun } from './run-records';
import type { ScriptRunner } from './script-runner';
import { openScriptBlob, openTicket, TicketRejectedError } from './ticket-verifier';

/** What a delivery needs from the agent service: its ports, a runner, an API client and serialized access to the state. */
export interface DeliveryContext {
  ports: AgentPorts;
  runner: ScriptRunner;
  api: DeviceApiClient;
  deviceKey: KeyObject;
  state(): AgentState;
  /** Applies `change` to the state and writes it durably before resolving. */
  update(change: (state: AgentState) => AgentState): Promise<void>;
  /** Tells the UIs that a run finished. */
  notify(): void;
}

/** Whether this assignment still needs work: not yet handled, or rejected before with a different ticket than this one. */
export function needsDelivery(state: AgentState, assignment: ScriptAssignment): boolean {
  const handled = findHandled(state, assignment.configurationId, assignment.version);
  return handled === undefined || (handled.outcome === 'rejected' && handled.ticketSha256 !== sha256Hex(assignment.ticket));
}

/**
 * Delivers one assignment. A refused ticket or blob runs nothing and becomes a `ticket.rejected` device event; other
 * errors (disk, bugs) propagate and leave the assignment unhandled, so the next check-in tries again.
 */
export async function deliverScript(ctx: DeliveryContext, assignment: ScriptAssignment): Promise<void> {
  const { logger, clock } = ctx.ports;
  try {
    const claims = await openAssignedTicket(ctx, assignment);
    if (claims.schedule.kind !== 'once') {
      logger.info('skipped a recurring script: this agent runs "once" schedules only (issue 5)', { configurationId: assignment.configurationId });
      await markHandled(ctx, assignment, 'skipped', null);
      return;
    }
    const script = openScriptBlob(await download(ctx, claims), claims);
    await runOnce(ctx, assignment, claims, script);
  } catch (error) {
    if (!(error instanceof TicketRejectedError)) throw error;
    logger.warn('rejected a script ticket; nothing ran', { configurationId: assignment.configurationId, code: error.code, reason: error.message });
    const event: DeviceEvent = {
      id: randomUUID(),
      type: 'ticket.rejected',
      at: clock.now().toISOString(),
      message: `${error.code}: ${error.message}`.slice(0, 2000),
      data: { configurationId: assignment.configurationId, code: error.code },
    };
    await ctx.ports.state.putOutbox({ kind: 'event', event });
    await markHandled(ctx, assignment, 'rejected', sha256Hex(assignment.ticket));
  }
}

/** Opens the ticket, checks it belongs to the assignment it came with, and records it as used. */
async function openAssignedTicket(ctx: DeliveryContext, assignment: ScriptAssignment): Promise<TicketClaims> {
  const state = ctx.state();
  const now = ctx.ports.clock.now();
  const trust = { rootCertificatePem: state.tenantRootCertificate, tenantId: state.tenantId, deviceId: state.deviceId, deviceKey: ctx.deviceKey };
  const claims = await openTicket(assignment.ticket, trust, replayStateOf(state.replay), now);
  // The bookkeeping of what ran is keyed by the assignment, so a ticket for another configuration must not hide under it.
  if (claims.configurationId !== assignment.configurationId || claims.configurationVersion !== assignment.version) {
    throw new TicketRejectedError('claims_invalid', 'ticket is for another script configuration than the one it was delivered with');
  }
  await ctx.update((s) => ({ ...s, replay: acceptTicket(s.replay, claims, now) }));
  return claims;
}

async function download(ctx: DeliveryContext, claims: TicketClaims): Promise<Buffer> {
  try {
    return await ctx.api.downloadBlob(ctx.state().deviceId, claims.blob.path, claims.blob.size);
  } catch (error) {
    if (!(error instanceof DeviceApiError)) throw error;
    if (error.failure?.code === 'too_large') throw new TicketRejectedError('blob_too_large', `script blob is larger than its signed ${claims.blob.size} bytes`);
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
  const { state: store, clock } = ctx.ports;
  const journal: JournalEntry = {
    executionId: randomUUID(),
    configurationId: claims.configurationId,
    configurationVersion: claims.configurationVersion,
    scriptId: claims.script.id,
    scriptVersion: claims.script.version,
    scriptName: claims.script.name,
    startedAt: clock.now().toISOString(),
  };
  await store.putJournal(journal);
  await markHandled(ctx, assignment, 'started', null);
  ctx.ports.logger.info('running a script', { executionId: journal.executionId, configurationId: journal.configurationId, script: claims.script.name });
  const outcome = await ctx.runner.run({
    executionId: journal.executionId,
    deviceId: ctx.state().deviceId,
    interpreter: claims.script.interpreter,
    script,
    variables: claims.variables,
    runAsRoot: claims.script.runAsRoot,
    maxRunTimeSeconds: claims.limits.maxRunTimeSeconds,
    maxResponseSizeKb: claims.limits.maxResponseSizeKb,
  });
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

/** Marks a configuration version handled; a later outcome replaces an earlier one. */
export function withHandled(state: AgentState, entry: HandledConfiguration): AgentState {
  const others = state.handled.filter((h) => !(h.configurationId === entry.configurationId && h.version === entry.version));
  return { ...state, handled: [...others, entry] };
}

async function markHandled(ctx: DeliveryContext, assignment: ScriptAssignment, outcome: HandledConfiguration['outcome'], ticketSha256: string | null): Promise<void> {
  const at = ctx.ports.clock.now().toISOString();
  await ctx.update((s) => withHandled(s, { configurationId: assignment.configurationId, version: assignment.version, outcome, ticketSha256, at }));
}
