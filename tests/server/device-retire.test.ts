// Issue 13 on both databases: an admin's retire waits for the agent's confirmation (a check-in command), a forced retire does not, and a retired device's key is refused.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckinResponseSchema } from '../../src/shared/protocol';
import { BACKENDS } from '../support/test-databases';
import { TestServer, type DeviceKeys } from './server-fixture';

interface DeviceView {
  status: string;
  retireRequestedAt: string | null;
  retiredAt: string | null;
}

describe.each(BACKENDS)('retiring a device on %s', (backend) => {
  let t: TestServer;
  beforeEach(async () => {
    t = await TestServer.start({ backend });
  });
  afterEach(async () => {
    await t.stop();
  });

  const checkIn = async (keys: DeviceKeys, deviceId: string) => {
    const response = await t.device(keys, deviceId, 'POST', '/checkin', { agentVersion: '0.5.0', osVersion: '15.3' });
    return { status: response.statusCode, body: response.json<unknown>() };
  };
  const commandsOf = async (keys: DeviceKeys, deviceId: string) => {
    const { status, body } = await checkIn(keys, deviceId);
    expect(status).toBe(200);
    return CheckinResponseSchema.parse(body).commands;
  };
  const auditActions = async (deviceId: string) =>
    (await t.adminOk<{ entries: { action: string; details: Record<string, unknown> }[] }>('GET', `/audit-log?target=device:${deviceId}`)).entries;

  it('keeps a requested retire pending, sends one command until the agent confirms, then refuses the key', async () => {
    const { deviceId, keys } = await t.enrolledDevice('alice');
    expect(await commandsOf(keys, deviceId)).toEqual([]);

    const pending = await t.adminOk<DeviceView>('POST', `/devices/${deviceId}/retire`, { reason: 'Left the company' });
    expect(pending).toMatchObject({ status: 'retire_pending', retiredAt: null, retireRequestedAt: expect.any(String) });
    // Asking again changes nothing: same request time, same command.
    expect(await t.adminOk<DeviceView>('POST', `/devices/${deviceId}/retire`, {})).toEqual(pending);
    const [first] = await commandsOf(keys, deviceId);
    expect(first).toEqual({ id: expect.any(String), type: 'retire' });
    expect(await commandsOf(keys, deviceId)).toEqual([first]);
    expect((await t.adminOk<{ devices: { id: string }[] }>('GET', '/devices?status=retire_pending')).devices.map((d) => d.id)).toEqual([deviceId]);

    const confirmed = await t.device(keys, deviceId, 'POST', '/retire', { reason: 'Confirmed the retire command.' });
    expect(confirmed.statusCode).toBe(200);
    const { retiredAt } = confirmed.json<{ retiredAt: string }>();
    expect(await t.adminOk<DeviceView>('GET', `/devices/${deviceId}`)).toMatchObject({ status: 'retired', retiredAt, retireRequestedAt: pending.retireRequestedAt });

    const refused = await checkIn(keys, deviceId);
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual({ error: 'device_retired', message: `This device was retired at ${retiredAt}; enroll it again to use it.` });
    expect((await auditActions(deviceId)).map((e) => e.action)).toEqual(['device.retire', 'device.retire_request']);
    const logs = await t.adminOk<{ logs: { event: { type: string } }[] }>('GET', `/devices/${deviceId}/logs?kind=event`);
    expect(logs.logs.map((l) => l.event.type)).toEqual(['device.retired', 'device.retire_requested']);
  });

  it('forces a retire without the agent, audited as forced, and refuses a second retire with a 409', async () => {
    const { deviceId, keys } = await t.enrolledDevice('bob');
    await t.adminOk('POST', `/devices/${deviceId}/retire`, {});
    const forced = await t.adminOk<DeviceView>('POST', `/devices/${deviceId}/retire`, { force: true, reason: 'The Mac was lost' });
    expect(forced).toMatchObject({ status: 'retired', retiredAt: expect.any(String) });
    expect((await checkIn(keys, deviceId)).status).toBe(401);
    expect((await auditActions(deviceId))[0]).toMatchObject({ action: 'device.retire', details: { reason: 'The Mac was lost', forced: true } });

    const again = await t.admin('POST', `/devices/${deviceId}/retire`, { force: true });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({ error: 'conflict', message: 'Device Mac of bob is already retired.' });
    expect((await t.admin('DELETE', `/devices/${deviceId}`)).statusCode).toBe(200);
  });

  it('forces an active device at once, and keeps a pending device from being deleted', async () => {
    const carol = await t.enrolledDevice('carol');
    expect(await t.adminOk<DeviceView>('POST', `/devices/${carol.deviceId}/retire`, { force: true })).toMatchObject({ status: 'retired', retireRequestedAt: null });
    const dave = await t.enrolledDevice('dave');
    await t.adminOk('POST', `/devices/${dave.deviceId}/retire`, {});
    const refused = await t.admin('DELETE', `/devices/${dave.deviceId}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json<{ message: string }>().message).toContain('waiting for its agent to confirm');
  });

  it('still retires a device at its own request (About > Uninstall)', async () => {
    const { deviceId, keys } = await t.enrolledDevice('erin');
    const retired = await t.device(keys, deviceId, 'POST', '/retire', { reason: 'Retired from the device (About > Uninstall).' });
    expect(retired.statusCode).toBe(200);
    expect(await t.adminOk<DeviceView>('GET', `/devices/${deviceId}`)).toMatchObject({ status: 'retired', retiredAt: retired.json<{ retiredAt: string }>().retiredAt, retireRequestedAt: null });
    expect((await t.device(keys, deviceId, 'POST', '/retire', { reason: 'again' })).statusCode).toBe(401);
  });
});
