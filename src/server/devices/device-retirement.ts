// Retiring a device (DESIGN.md §8): marked retired with an audit entry and a device log event; from then on its tokens are refused.
import { randomUUID } from 'node:crypto';
import type { DeviceEvent } from '../../shared/protocol';
import { auditedChange } from '../audit/audit-log';
import type { Db } from '../db/database';
import { insertDeviceEvent } from '../device-api/device-report-queries';

/**
 * Marks an active device retired; false when it was not active (retired meanwhile by another request).
 *
 * Device authentication accepts active devices only, so this is what revokes the device key.
 */
export async function retireDevice(db: Db, deviceId: string, by: { actor: string; reason: string; at: Date }): Promise<boolean> {
  const at = by.at.toISOString();
  const event: DeviceEvent = { id: randomUUID(), type: 'device.retired', at, message: `The device was retired: ${by.reason}`.slice(0, 2000), data: { actor: by.actor } };
  const audit = { at: by.at, actor: by.actor, action: 'device.retire', target: `device:${deviceId}`, details: { reason: by.reason } };
  return auditedChange(db, (retired) => (retired ? audit : []), async (trx) => {
    const updated = await trx.updateTable('devices').set({ status: 'retired' }).where('id', '=', deviceId).where('status', '=', 'active').executeTakeFirst();
    if (updated.numUpdatedRows !== 1n) return false;
    await insertDeviceEvent(trx, { id: event.id, device_id: deviceId, type: event.type, at, event: JSON.stringify(event), received_at: at });
    return true;
  });
}
