// What devices report back: script results (stored exactly once per execution id) and device log events.
import type { DeviceEvent } from '../shared/protocol';
import type { ScriptResult } from '../shared/script-result';
import type { AuthenticatedDevice } from './device-auth';
import { loadDeviceAssignments } from './device-assignments';
import { notFound } from './http-errors';
import type { ServerContext } from './server-context';

/**
 * Stores the results of configurations distributed to the device; a repeated execution id is kept once.
 *
 * Returns how many of the results the server now holds for this device (new or stored before), so an agent
 * may drop exactly those from its outbox.
 */
export async function storeResults(ctx: ServerContext, device: AuthenticatedDevice, results: ScriptResult[]): Promise<number> {
  const now = ctx.now();
  const { targeted } = await loadDeviceAssignments(ctx.db, device);
  const distributed = new Set(targeted.map((c) => c.id));
  const valid = results.filter((r) => distributed.has(r.configurationId));
  if (valid.length === 0) throw notFound('None of the results belong to a script configuration distributed to this device.');
  await ctx.db
    .insertInto('script_results')
    .values(
      valid.map((r) => ({
        execution_id: r.executionId,
        device_id: device.id,
        configuration_id: r.configurationId,
        status: r.status,
        // Normalised to UTC so results and events sort together whatever offset the device used.
        ended_at: new Date(r.endedAt).toISOString(),
        result: JSON.stringify(r),
        received_at: now.toISOString(),
      })),
    )
    .onConflict((oc) => oc.column('execution_id').doNothing())
    .execute();
  const held = await ctx.db
    .selectFrom('script_results')
    .select('execution_id')
    .where('device_id', '=', device.id)
    .where(
      'execution_id',
      'in',
      valid.map((r) => r.executionId),
    )
    .execute();
  return held.length;
}

/** Stores device log events; a repeated event id is kept once. Returns how many the server now holds for this device. */
export async function storeEvents(ctx: ServerContext, device: AuthenticatedDevice, events: DeviceEvent[]): Promise<number> {
  const now = ctx.now();
  await ctx.db
    .insertInto('device_events')
    .values(
      events.map((e) => ({
        id: e.id,
        device_id: device.id,
        type: e.type,
        at: new Date(e.at).toISOString(),
        event: JSON.stringify(e),
        received_at: now.toISOString(),
      })),
    )
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  const held = await ctx.db
    .selectFrom('device_events')
    .select('id')
    .where('device_id', '=', device.id)
    .where(
      'id',
      'in',
      events.map((e) => e.id),
    )
    .execute();
  return held.length;
}
