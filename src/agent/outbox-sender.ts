// Delivers the durable outbox (results, then events) at least once: an entry leaves the disk only after the server took it.
import type { DeviceEvent } from '../shared/protocol';
import type { ScriptResult } from '../shared/script-result';
import type { OutboxEntry } from './agent-state';
import type { DeviceApiClient } from './device-api-client';
import type { StateStore } from './ports';

/** Most entries per POST, as the device API's request schemas allow. */
const BATCH_SIZE = 100;

/** Sends everything in the outbox; throws on the first failed POST and leaves the rest for the next attempt. */
export async function flushOutbox(store: StateStore, api: Pick<DeviceApiClient, 'postResults' | 'postEvents'>, deviceId: string): Promise<number> {
  const entries = await store.listOutbox();
  const results = entries.filter((e): e is Extract<OutboxEntry, { kind: 'result' }> => e.kind === 'result');
  const events = entries.filter((e): e is Extract<OutboxEntry, { kind: 'event' }> => e.kind === 'event');
  let sent = 0;
  for (const batch of batches(results)) {
    await api.postResults(deviceId, batch.map((e): ScriptResult => e.result));
    for (const entry of batch) await store.removeOutbox(entry);
    sent += batch.length;
  }
  for (const batch of batches(events)) {
    await api.postEvents(deviceId, batch.map((e): DeviceEvent => e.event));
    for (const entry of batch) await store.removeOutbox(entry);
    sent += batch.length;
  }
  return sent;
}

function batches<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH_SIZE) out.push(items.slice(i, i + BATCH_SIZE));
  return out;
}
