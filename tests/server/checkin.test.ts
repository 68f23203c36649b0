// Check-in, device authentication and blob authorization: tickets only once an agent configuration is distributed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openBlob, sha256Hex } from '../../src/shared/node/blob-cipher';
import { signDeviceToken } from '../../src/shared/node/device-token';
import { CheckinResponseSchema, DEVICE_API_PREFIX, type CheckinResponse } from '../../src/shared/protocol';
import { openTicketForTest } from './open-ticket';
import { DEVICE, TestServer, newDeviceKeys, type DeviceKeys } from './server-fixture';
import { BACKENDS } from '../support/test-databases';

const CHECKIN = { agentVersion: '0.2.0', osVersion: '15.2' };

describe.each(BACKENDS)('check-in on %s', (backend) => {
  let t: TestServer;
  beforeEach(async () => {
    t = await TestServer.start({ backend });
  });
  afterEach(async () => {
    await t.stop();
  });

  async function checkIn(keys: DeviceKeys, deviceId: string): Promise<CheckinResponse> {
    const response = await t.device(keys, deviceId, 'POST', '/checkin', CHECKIN);
    expect(response.statusCode).toBe(200);
    return CheckinResponseSchema.parse(response.json());
  }

  it('gives no tickets without an agent configuration and shows the script configuration in error', async () => {
    const { deviceId, keys } = await t.enrolledDevice('alice');
    const { configurationId } = await t.createScriptConfiguration('echo hello', 'everyone');
    const body = await checkIn(keys, deviceId);
    expect(body).toMatchObject({ agentConfig: null, scripts: [], commands: [], nextCheckinSeconds: 15 * 60 });

    const device = await t.adminOk('GET', `/devices/${deviceId}`);
    expect(device).toMatchObject({
      id: deviceId,
      agentVersion: '0.2.0',
      osVersion: '15.2',
      lastCheckinAt: body.serverTime,
      agentConfiguration: null,
      scriptConfigurations: [{ id: configurationId, state: 'error', reason: expect.stringMatching(/agent configuration/) }],
    });
  });

  it('issues a ticket the device can decrypt and verify once an agent configuration is distributed', async () => {
    const { deviceId, keys, enrollment } = await t.enrolledDevice('alice');
    const { scriptId, configurationId } = await t.createScriptConfiguration('echo "$GREETING"', 'everyone');
    await t.adminOk('POST', '/agent-configurations', {
      name: 'Slow',
      checkinFrequencyMinutes: 120,
      maxRunTimeSeconds: 30,
      maxResponseSizeKb: 4,
      distribution: { kind: 'everyone' },
    });

    const first = await checkIn(keys, deviceId);
    expect(first.agentConfig).toMatchObject({ checkinFrequencyMinutes: 120, maxRunTimeSeconds: 30 });
    expect(first.nextCheckinSeconds).toBe(7200);
    expect(first.scripts).toHaveLength(1);
    expect(first.scripts[0]).toMatchObject({ configurationId, version: 1 });
    const claims = await openTicketForTest(first.scripts[0]!.ticket, keys.privateKey, enrollment.tenantRootCertificate);
    expect(claims).toMatchObject({
      iss: enrollment.tenantId,
      aud: deviceId,
      seq: 1,
      configurationId,
      configurationVersion: 1,
      script: { id: scriptId, version: 1, name: 'Hello', interpreter: 'bash', runAsRoot: false },
      limits: { maxRunTimeSeconds: 30, maxResponseSizeKb: 4 },
      schedule: { kind: 'once' },
      variables: { GREETING: 'hello' },
    });
    // Twice the check-in frequency, as that is more than an hour.
    expect(claims.exp - claims.iat).toBe(2 * 120 * 60);
    expect(claims.blob.path.startsWith(`${DEVICE_API_PREFIX}/blobs/`)).toBe(true);

    const blob = await t.device(keys, deviceId, 'GET', claims.blob.path.slice(DEVICE_API_PREFIX.length));
    expect(blob.statusCode).toBe(200);
    expect(blob.headers['content-type']).toBe('application/octet-stream');
    expect(blob.rawPayload.length).toBe(claims.blob.size);
    expect(sha256Hex(blob.rawPayload)).toBe(claims.blob.sha256);
    expect(openBlob(blob.rawPayload, claims.blob.key).toString()).toBe('echo "$GREETING"');

    const second = await checkIn(keys, deviceId);
    const again = await openTicketForTest(second.scripts[0]!.ticket, keys.privateKey, enrollment.tenantRootCertificate);
    expect(again.seq).toBe(2);
    expect(again.jti).not.toBe(claims.jti);
    expect((await t.adminOk('GET', `/devices/${deviceId}`)).scriptConfigurations).toEqual([
      { id: configurationId, name: 'Hello once', version: 1, state: 'distributed', reason: null },
    ]);
  });

  it('uses the newest-updated agent configuration distributed to everyone', async () => {
    const { deviceId, keys } = await t.enrolledDevice('alice');
    await t.adminOk('POST', '/agent-configurations', { name: 'A', checkinFrequencyMinutes: 5, distribution: { kind: 'everyone' } });
    const b = await t.adminOk<{ id: string }>('POST', '/agent-configurations', { name: 'B', checkinFrequencyMinutes: 7 });
    expect((await checkIn(keys, deviceId)).nextCheckinSeconds).toBe(300);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await t.adminOk('PUT', `/agent-configurations/${b.id}/distribution`, { kind: 'everyone' });
    expect((await checkIn(keys, deviceId)).nextCheckinSeconds).toBe(420);
  });

  it('authorizes blobs only for script configurations delivered to the device', async () => {
    await t.distributeSystemDefaultAgentConfiguration();
    const a = await t.enrolledDevice('alice');
    const b = await t.enrolledDevice('bob');
    const delivered = await t.createScriptConfiguration('echo delivered', 'everyone');
    const undelivered = await t.createScriptConfiguration('echo secret', 'none');

    const blobOf = (scriptId: string) =>
      t.query(async (db) => (await db.selectFrom('script_versions').select('blob_id').where('script_id', '=', scriptId).executeTakeFirstOrThrow()).blob_id);
    const deliveredBlob = await blobOf(delivered.scriptId);
    const undeliveredBlob = await blobOf(undelivered.scriptId);

    for (const device of [a, b]) {
      expect((await t.device(device.keys, device.deviceId, 'GET', `/blobs/${deliveredBlob}`)).statusCode).toBe(200);
      const refused = await t.device(device.keys, device.deviceId, 'GET', `/blobs/${undeliveredBlob}`);
      expect(refused.statusCode).toBe(404);
      expect(refused.json()).toMatchObject({ error: 'not_found' });
      expect((await t.device(device.keys, device.deviceId, 'GET', '/blobs/no-such-blob')).statusCode).toBe(404);
    }
    await t.adminOk('PUT', `/script-configurations/${delivered.configurationId}/distribution`, { kind: 'none' });
    expect((await t.device(a.keys, a.deviceId, 'GET', `/blobs/${deliveredBlob}`)).statusCode).toBe(404);
  });

  it('refuses device calls without a valid token of an active device', async () => {
    const { deviceId, keys } = await t.enrolledDevice('alice');
    const other = newDeviceKeys();
    const cases: Record<string, string | undefined> = {
      missing: undefined,
      garbage: 'Bearer not-a-jwt',
      'signed by another key': `Bearer ${await signDeviceToken(other.privateKey, deviceId)}`,
      'for an unknown device': `Bearer ${await signDeviceToken(keys.privateKey, '00000000-0000-4000-8000-000000000000')}`,
      expired: `Bearer ${await signDeviceToken(keys.privateKey, deviceId, new Date(Date.now() - 600_000))}`,
    };
    for (const [name, authorization] of Object.entries(cases)) {
      const response = await t.server.app.inject({
        method: 'POST',
        url: `${DEVICE}/checkin`,
        headers: authorization ? { authorization } : {},
        payload: CHECKIN,
      });
      expect(response.statusCode, name).toBe(401);
      expect(response.json(), name).toMatchObject({ error: 'unauthorized', message: expect.any(String) });
    }
    expect((await t.adminOk('GET', `/devices/${deviceId}`)).lastCheckinAt).toBeNull();

    await t.query((db) => db.updateTable('devices').set({ status: 'retired' }).where('id', '=', deviceId).execute());
    expect((await t.device(keys, deviceId, 'POST', '/checkin', CHECKIN)).statusCode).toBe(401);
  });
});
