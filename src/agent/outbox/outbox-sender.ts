// Delivers the durable outbox (results, then events) at least once: an entry leaves the disk only after the server took it or refused it for good.
import type { OutboxEntry } from '../core/agent-state';
import type { DeviceApiClient } from '../transport/device-api-client';
import { failureKindOf } from '../delivery/delivery-failure';
import type { Clock, Logger, StateStore } from '../core/ports';
import { fileSetAsideEvent, isRejectionReport, itemRejectedEvent } from './report-events';
import { messageOf } from '../core/error-message';

/** Most entries per POST, as the device API's request schemas allow. */
const BATCH_SIZE = 100;

export interface OutboxDelivery {
  /** Entries the server took. */
  sent: number;
  /** Entries the server refused for good, now set aside and reported. */
  rejected: number;
  /** The failure that stopped delivery before the end (the device refused, the server or network down), or null. */
  stoppedBy: unknown;
}

type OutboxApi = Pick<DeviceApiClient, 'postResults' | 'postEvents'>;

/**
 * Sends everything in the outbox (issue 9).
 *
 * A refusal of what was sent (400, 404, 409, 413, 422) is final for that entry only: a refused batch is split until
 * the refused entries are found, each is set aside and reported as an `outbox.item_rejected` event, and the rest
 * still goes. A refused device (401, 403) or a server or network failure stops delivery; what is left waits for the
 * next attempt.
 */
export async function flushOutbox(store: StateStore, api: OutboxApi, deviceId: string, { clock, logger }: { clock: Clock; logger: Logger }): Promise<OutboxDelivery> {
  const delivery: OutboxDelivery = { sent: 0, rejected: 0, stoppedBy: null };
  // Each call carries entries of one kind only.
  const post = (entries: OutboxEntry[]): Promise<void> => {
    const results = entries.flatMap((e) => (e.kind === 'result' ? [e.result] : []));
    return results.length > 0 ? api.postResults(deviceId, results) : api.postEvents(deviceId, entries.flatMap((e) => (e.kind === 'event' ? [e.event] : [])));
  };

  const deliver = async (entries: OutboxEntry[]): Promise<boolean> => {
    try {
      await post(entries);
    } catch (error) {
      if (failureKindOf(error) !== 'rejected') {
        delivery.stoppedBy = error;
        return false;
      }
      if (entries.length === 1) {
        await setAside(store, entries[0]!, error, clock);
        delivery.rejected++;
        return true;
      }
      const half = Math.ceil(entries.length / 2);
      return (await deliver(entries.slice(0, half))) && deliver(entries.slice(half));
    }
    for (const entry of entries) await store.removeOutbox(entry);
    delivery.sent += entries.length;
    return true;
  };

  for (const kind of ['result', 'event'] as const) {
    // Listed afresh for events, so the reports of results refused just now go out in the same round.
    const entries = (await store.listOutbox()).filter((e) => e.kind === kind);
    for (let i = 0; i < entries.length; i += BATCH_SIZE) {
      if (!(await deliver(entries.slice(i, i + BATCH_SIZE)))) break;
    }
    if (delivery.stoppedBy !== null) break;
  }
  if (delivery.sent > 0 || delivery.rejected > 0) logger.info('sent outbox entries', { count: delivery.sent, rejected: delivery.rejected });
  if (delivery.stoppedBy !== null) logger.warn('stopped sending the outbox', { reason: messageOf(delivery.stoppedBy) });
  return delivery;
}

/** Queues one device event per state file set aside as unreadable, then files it away so it is reported once (issue 9). */
export async function reportSetAsideFiles(store: StateStore, { clock, logger }: { clock: Clock; logger: Logger }): Promise<void> {
  for (const file of await store.listSetAside()) {
    await store.putOutbox({ kind: 'event', event: fileSetAsideEvent(file, clock.now()) });
    await store.keepSetAside(file);
    logger.warn('reported a state file set aside', { kind: file.kind, name: file.name });
  }
}

/** Reports a refused entry (before setting it aside, so a crash in between reports it again under the same id) and sets it aside. */
async function setAside(store: StateStore, entry: OutboxEntry, error: unknown, clock: Clock): Promise<void> {
  const status = (error as { status?: number | null }).status ?? null;
  const reason = messageOf(error);
  if (!isRejectionReport(entry)) await store.putOutbox({ kind: 'event', event: itemRejectedEvent(entry, status, reason, clock.now()) });
  await store.rejectOutbox(entry);
}
