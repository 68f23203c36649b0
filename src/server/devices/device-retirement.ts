// Retiring a device (DESIGN.md §8, issue 13): an admin's request waits for the agent's confirmation; the device's own retire, its confirmation or a forced retire mark it retired, each audited with a device log event.
import { randomUUID } from 'node:crypto';
import type { DeviceEvent } from '../../shared/protocol';
import { auditedChange } from '../audit/audit-log';
import type { Db } from '../db/database';
import { insertDeviceEvent } from '../device-api/device-report-queries';

export interface RetireBy {
  actor: string;
  reason: string;
  at: Date;
}

async function recordEvent(trx: Db, deviceId: string, type: string, by: RetireBy, message: string): Promise<void> {
  const at = by.at.toISOString();
  const event: DeviceEvent = { id: randomUUID(), type, at, message: message.slice(0, 2000), data: { actor: by.actor } };
  await insertDeviceEvent(trx, { id: event.id, device_id: deviceId, type: event.type, at, event: JSON.stringify(event), received_at: at });
}

/**
 * Asks an active device to retire: it becomes retire_pending and its check-ins carry a retire command until it confirms.
 *
 * False when it was not active (already pending, or retired meanwhile); a pending device keeps its first request.
 */
export async function requestRetire(db: Db, deviceId: string, by: RetireBy): Promise<boolean> {
  const audit = { at: by.at, actor: by.actor, action: 'device.retire_request', target: `device:${deviceId}`, details: { reason: by.reason } };
  return auditedChange(db, (requested) => (requested ? audit : []), async (trx) => {
    const updated = await trx
      .updateTable('devices')
      .set({ status: 'retire_pending', retire_requested_at: by.at.toISOString(), retire_command_id: randomUUID() })
      .where('id', '=', deviceId)
      .where('status', '=', 'active')
      .executeTakeFirst();
    if (updated.numUpdatedRows !== 1n) return false;
    await recordEvent(trx, deviceId, 'device.retire_requested', by, `Retiring the device was requested: ${by.reason}`);
    return true;
  });
}

/**
 * Marks an active or retire-pending device retired at `by.at`; false when it was retired already (by another request).
 *
 * `forced`: an admin retired it without its agent's confirmation (a Mac that is gone). Device authentication refuses
 * a retired device, so this is what revokes the device key.
 */
export async function retireDevice(db: Db, deviceId: string, by: RetireBy & { forced?: boolean }): Promise<boolean> {
  const forced = by.forced === true;
  const audit = { at: by.at, actor: by.actor, action: 'device.retire', target: `device:${deviceId}`, details: { reason: by.reason, forced } };
  return auditedChange(db, (retired) => (retired ? audit : []), async (trx) => {
    const updated = await trx
      .updateTable('devices')
      .set({ status: 'retired', retired_at: by.at.toISOString(), retire_command_id: null })
      .where('id', '=', deviceId)
      .where('status', 'in', ['active', 'retire_pending'])
      .executeTakeFirst();
    if (updated.numUpdatedRows !== 1n) return false;
    const message = forced ? `The device was retired without its agent's confirmation: ${by.reason}` : `The device was retired: ${by.reason}`;
    await recordEvent(trx, deviceId, 'device.retired', by, message);
    return true;
  });
}
