// What devices report back: script results (stored exactly once per execution id, audited, feeding custom attributes), log events and inventory.
import { randomUUID } from 'node:crypto';
import type { DeviceEvent, InventoryRequest } from '../../shared/protocol';
import type { ScriptResult } from '../../shared/script-result';
import { auditedChange } from '../audit/audit-log';
import type { Db } from '../db/database';
import type { AuthenticatedDevice } from './device-auth';
import { givenScripts, loadDeviceAssignments, type GivenScript } from '../configurations/device-assignments';
import {
  countStoredEvents,
  countStoredResults,
  insertDeviceEvent,
  insertDeviceEvents,
  insertScriptResults,
  upsertDeviceAttribute,
} from './device-report-queries';
import { replaceInventory } from '../devices/inventory-queries';
import { notFound } from '../app/http-errors';
import { scriptsSettingAttributes } from '../scripts/script-queries';
import type { ServerContext } from '../app/server-context';

/** Longest custom attribute value kept: attributes are for lists and filters, the full output stays in the log. */
const MAX_ATTRIBUTE_CHARS = 1024;

/** Why an output cannot become an attribute value, or null when it can: a mangled value is worse than none (issue 9). */
function unfitForAttribute(result: ScriptResult): string | null {
  if (result.stdoutEncoding === 'base64') return 'its output is not UTF-8 text (it was sent as base64)';
  if (result.stdout.includes('\u0000')) return 'its output holds NUL characters';
  if (result.stdout.includes('\uFFFD')) return 'its output holds bytes that are not UTF-8';
  return null;
}

/**
 * Sets the device attributes of scripts linked to one, from the latest (by end time) successful result of each.
 *
 * A result whose output is not plain text leaves the attribute as it was, and the device log says why.
 */
async function updateAttributes(db: Db, deviceId: string, results: ScriptResult[], now: Date): Promise<void> {
  const completed = results.filter((r) => r.status === 'completed');
  if (completed.length === 0) return;
  const scripts = await scriptsSettingAttributes(db, [...new Set(completed.map((r) => r.scriptId))]);
  for (const script of scripts) {
    const latest = completed.filter((r) => r.scriptId === script.id).sort((a, b) => Date.parse(b.endedAt) - Date.parse(a.endedAt))[0];
    if (!latest || script.attribute === null) continue;
    const endedAt = new Date(latest.endedAt).toISOString();
    const unfit = unfitForAttribute(latest);
    if (unfit !== null) {
      const event: DeviceEvent = {
        id: randomUUID(),
        type: 'attribute.not_set',
        at: endedAt,
        message: `Custom attribute ${script.attribute} was left unchanged: ${unfit}; make script ${script.name} print UTF-8 text.`,
        data: { attribute: script.attribute, scriptId: script.id, executionId: latest.executionId },
      };
      await insertDeviceEvent(db, { id: event.id, device_id: deviceId, type: event.type, at: endedAt, event: JSON.stringify(event), received_at: now.toISOString() });
      continue;
    }
    const value = latest.stdout.trim().slice(0, MAX_ATTRIBUTE_CHARS);
    await upsertDeviceAttribute(db, { device_id: deviceId, name: script.attribute, value, execution_id: latest.executionId, updated_at: endedAt });
  }
}

/**
 * A result as the server keeps it: about the script its configuration's ticket named, not the one the device claims,
 * so no device can set another script's attribute (issue 9). The claimed version stands only if it was given.
 */
function asGiven(result: ScriptResult, given: GivenScript): ScriptResult {
  const scriptVersion = given.versions.includes(result.scriptVersion) ? result.scriptVersion : given.versions[given.versions.length - 1]!;
  return { ...result, scriptId: given.scriptId, scriptVersion };
}

/**
 * Stores the results of configurations the device was given; a repeated execution id is kept once.
 *
 * Returns how many of the results the server now holds for this device (new or stored before), so an agent
 * may drop exactly those from its outbox.
 */
export async function storeResults(ctx: ServerContext, device: AuthenticatedDevice, results: ScriptResult[]): Promise<number> {
  const now = ctx.now();
  const { targeted } = await loadDeviceAssignments(ctx.db, device);
  const given = await givenScripts(ctx.db, device.id, targeted, results.map((r) => r.configurationId));
  const valid = results.flatMap((r) => {
    const script = given.get(r.configurationId);
    return script === undefined ? [] : [asGiven(r, script)];
  });
  // All or nothing: a batch that is partly refused would leave the agent unable to tell which of its results were
  // dropped; refused whole, the agent splits it and reports the one result that can never be delivered (issue 9).
  const foreign = results.find((r) => !given.has(r.configurationId));
  if (foreign !== undefined) throw notFound(`Result ${foreign.executionId} is for a script configuration this device was never given; nothing of this batch was stored.`);
  const audit = (stored: ScriptResult[]) =>
    stored.map((r) => ({
      at: now,
      actor: `device:${device.id}`,
      action: 'script_result.store',
      target: `script_configuration:${r.configurationId}`,
      details: { executionId: r.executionId, scriptId: r.scriptId, scriptVersion: r.scriptVersion, status: r.status, exitCode: r.exitCode, endedAt: r.endedAt },
    }));
  await auditedChange(ctx.db, audit, async (trx: Db) => {
    const inserted = await insertScriptResults(
      trx,
      valid.map((r) => ({
        execution_id: r.executionId,
        device_id: device.id,
        configuration_id: r.configurationId,
        status: r.status,
        // Normalised to UTC so results and events sort together whatever offset the device used.
        ended_at: new Date(r.endedAt).toISOString(),
        result: JSON.stringify(r),
        received_at: now.toISOString(),
        stdout_encoding: r.stdoutEncoding ?? 'utf8',
        stderr_encoding: r.stderrEncoding ?? 'utf8',
      })),
    );
    // Only what this call stored is audited and feeds attributes: a redelivered result changes nothing.
    const fresh = new Set(inserted);
    const stored = valid.filter((r) => fresh.has(r.executionId));
    await updateAttributes(trx, device.id, stored, now);
    return stored;
  });
  return countStoredResults(ctx.db, device.id, valid.map((r) => r.executionId));
}

/** Stores device log events; a repeated event id is kept once. Returns how many the server now holds for this device. */
export async function storeEvents(ctx: ServerContext, device: AuthenticatedDevice, events: DeviceEvent[]): Promise<number> {
  const now = ctx.now();
  await insertDeviceEvents(
    ctx.db,
    events.map((e) => ({
      id: e.id,
      device_id: device.id,
      type: e.type,
      at: new Date(e.at).toISOString(),
      event: JSON.stringify(e),
      received_at: now.toISOString(),
    })),
  );
  return countStoredEvents(ctx.db, device.id, events.map((e) => e.id));
}

/**
 * Replaces the device's apps and receipts with a full inventory and keeps its digest, which later check-ins are
 * compared with (issue 13). The last entry of a bundle id or package id wins. Returns how many of each it holds.
 */
export async function storeInventory(ctx: ServerContext, device: AuthenticatedDevice, inventory: InventoryRequest): Promise<{ apps: number; receipts: number }> {
  const apps = [...new Map(inventory.apps.map((a) => [a.bundleId, a])).values()];
  const receipts = [...new Map(inventory.receipts.map((r) => [r.packageId, { ...r, installedAt: r.installedAt === null ? null : new Date(r.installedAt).toISOString() }])).values()];
  await replaceInventory(ctx.db, device.id, { apps, receipts, digest: inventory.digest ?? null }, ctx.now().toISOString());
  return { apps: apps.length, receipts: receipts.length };
}
