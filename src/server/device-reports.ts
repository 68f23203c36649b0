// What devices report back: script results (stored exactly once per execution id, audited, feeding custom attributes), log events and inventory.
import type { DeviceEvent, InstalledApp } from '../shared/protocol';
import type { ScriptResult } from '../shared/script-result';
import { recordAudit } from './audit-log';
import type { Db } from './database';
import type { AuthenticatedDevice } from './device-auth';
import { loadDeviceAssignments } from './device-assignments';
import { notFound } from './http-errors';
import type { ServerContext } from './server-context';

/** Longest custom attribute value kept: attributes are for lists and filters, the full output stays in the log. */
const MAX_ATTRIBUTE_CHARS = 1024;
/** Rows per INSERT of an inventory: well below SQLite's and PostgreSQL's bound-parameter limits. */
const INVENTORY_BATCH = 500;

/** Sets the device attributes of scripts linked to one, from the latest (by end time) successful result of each. */
async function updateAttributes(db: Db, deviceId: string, results: ScriptResult[]): Promise<void> {
  const completed = results.filter((r) => r.status === 'completed');
  if (completed.length === 0) return;
  const scripts = await db
    .selectFrom('scripts')
    .select(['id', 'attribute'])
    .where('id', 'in', [...new Set(completed.map((r) => r.scriptId))])
    .where('attribute', 'is not', null)
    .execute();
  for (const script of scripts) {
    const latest = completed.filter((r) => r.scriptId === script.id).sort((a, b) => Date.parse(b.endedAt) - Date.parse(a.endedAt))[0];
    if (!latest || script.attribute === null) continue;
    const endedAt = new Date(latest.endedAt).toISOString();
    const value = latest.stdout.trim().slice(0, MAX_ATTRIBUTE_CHARS);
    // A result that arrives late (from the outbox) must not overwrite a newer value: updated_at is the run's end.
    await db
      .insertInto('device_attributes')
      .values({ device_id: deviceId, name: script.attribute, value, execution_id: latest.executionId, updated_at: endedAt })
      .onConflict((oc) =>
        oc
          .columns(['device_id', 'name'])
          .doUpdateSet({ value, execution_id: latest.executionId, updated_at: endedAt })
          .where('device_attributes.updated_at', '<', endedAt),
      )
      .execute();
  }
}

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
  await ctx.db.transaction().execute(async (trx) => {
    const inserted = await trx
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
      .returning('execution_id')
      .execute();
    // Only what this call stored is audited and feeds attributes: a redelivered result changes nothing.
    const fresh = new Set(inserted.map((r) => r.execution_id));
    const stored = valid.filter((r) => fresh.has(r.executionId));
    await recordAudit(
      trx,
      stored.map((r) => ({
        actor: `device:${device.id}`,
        action: 'script_result.store',
        target: `script_configuration:${r.configurationId}`,
        details: { executionId: r.executionId, scriptId: r.scriptId, scriptVersion: r.scriptVersion, status: r.status, exitCode: r.exitCode, endedAt: r.endedAt },
      })),
      now,
    );
    await updateAttributes(trx, device.id, stored);
  });
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

/** Replaces the device's installed apps with a full inventory; the last report of a bundle id wins. Returns how many apps it holds. */
export async function storeInventory(ctx: ServerContext, device: AuthenticatedDevice, apps: InstalledApp[]): Promise<number> {
  const now = ctx.now().toISOString();
  const unique = [...new Map(apps.map((a) => [a.bundleId, a])).values()];
  await ctx.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('device_apps').where('device_id', '=', device.id).execute();
    for (let i = 0; i < unique.length; i += INVENTORY_BATCH) {
      await trx
        .insertInto('device_apps')
        .values(unique.slice(i, i + INVENTORY_BATCH).map((a) => ({ device_id: device.id, bundle_id: a.bundleId, name: a.name, version: a.version, reported_at: now })))
        .execute();
    }
  });
  return unique.length;
}
