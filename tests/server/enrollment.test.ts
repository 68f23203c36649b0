// Enrollment: proof of possession of the device key, single-use expiring PINs, and answers that do not say which part was wrong.
import { X509Certificate } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EnrollResponseSchema } from '../../src/shared/protocol';
import { signDeviceToken } from '../../src/shared/node/device-token';
import { DEVICE, TestServer, newDeviceKeys } from './server-fixture';
import { BACKENDS } from '../support/test-databases';

describe.each(BACKENDS)('enrollment on %s', (backend) => {
  let t: TestServer;
  let clock: Date;
  beforeEach(async () => {
    clock = new Date();
    t = await TestServer.start({ backend, now: () => clock });
  });
  afterEach(async () => {
    await t.stop();
  });

  it('enrolls a device with a valid PIN and returns the tenant root certificate', async () => {
    const { userId, pin } = await t.createUserWithPin('alice');
    const keys = newDeviceKeys();
    const response = await t.enroll(keys, 'alice', pin);
    expect(response.statusCode).toBe(200);
    const body = EnrollResponseSchema.parse(response.json());
    expect(body.agentConfig).toBeNull();
    const root = new X509Certificate(body.tenantRootCertificate);
    expect(root.ca).toBe(true);
    expect(root.subject).toContain(body.tenantId);

    const { devices } = await t.adminOk<{ devices: Record<string, unknown>[] }>('GET', '/devices');
    expect(devices).toEqual([
      expect.objectContaining({ id: body.deviceId, name: 'Mac of alice', status: 'active', userId, username: 'alice', osVersion: '15.1', agentVersion: '0.1.0', lastCheckinAt: null }),
    ]);
  });

  it('returns the effective agent configuration once one is distributed', async () => {
    await t.distributeSystemDefaultAgentConfiguration();
    const { enrollment } = await t.enrolledDevice('alice');
    expect(enrollment.agentConfig).toMatchObject({ checkinFrequencyMinutes: 15, maxRunTimeSeconds: 60 });
  });

  it('gives the same 401 for a wrong PIN and an unknown user', async () => {
    const { pin } = await t.createUserWithPin('alice');
    const wrongPin = pin === '00000000' ? '11111111' : '00000000';
    const wrong = await t.enroll(newDeviceKeys(), 'alice', wrongPin);
    const unknown = await t.enroll(newDeviceKeys(), 'nobody', pin);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.json<{ error: string }>().error).toBe('unauthorized');
    expect((await t.enroll(newDeviceKeys(), 'alice', pin)).statusCode).toBe(200);
  });

  it('accepts a PIN only once', async () => {
    const { pin } = await t.createUserWithPin('alice');
    expect((await t.enroll(newDeviceKeys(), 'alice', pin)).statusCode).toBe(200);
    const reused = await t.enroll(newDeviceKeys(), 'alice', pin);
    expect(reused.statusCode).toBe(401);
    expect((await t.adminOk<{ devices: unknown[] }>('GET', '/devices')).devices).toHaveLength(1);
  });

  it('refuses an expired PIN', async () => {
    const user = await t.adminOk<{ id: string }>('POST', '/users', { username: 'alice' });
    const { pin } = await t.adminOk<{ pin: string }>('POST', `/users/${user.id}/registration-pins`, { ttlSeconds: 60 });
    clock = new Date(clock.getTime() + 61_000);
    expect((await t.enroll(newDeviceKeys(), 'alice', pin)).statusCode).toBe(401);
  });

  it('stops accepting the PINs of a user after five wrong tries, and says the PIN is locked (issue 11)', async () => {
    const { pin } = await t.createUserWithPin('alice');
    const wrongPin = pin === '00000000' ? '11111111' : '00000000';
    for (let i = 0; i < 4; i++) expect((await t.enroll(newDeviceKeys(), 'alice', wrongPin)).statusCode).toBe(401);
    const locking = await t.enroll(newDeviceKeys(), 'alice', wrongPin);
    expect(locking.statusCode).toBe(423);
    expect(locking.json<{ error: string }>().error).toBe('pin_locked');
    const afterwards = await t.enroll(newDeviceKeys(), 'alice', pin);
    expect(afterwards.statusCode).toBe(423);
    expect(afterwards.json<{ message: string }>().message).toBe('The registration PIN is locked after too many wrong attempts; ask your administrator for a new PIN.');
  });

  it('counts a wrong try against every live PIN of the user, so five wrong tries lock them all', async () => {
    const { pin: first } = await t.createUserWithPin('alice');
    const users = await t.adminOk<{ users: { id: string }[] }>('GET', '/users');
    const { pin: second } = await t.adminOk<{ pin: string }>('POST', `/users/${users.users[0]!.id}/registration-pins`, {});
    const wrongPin = [first, second].includes('00000000') ? ([first, second].includes('11111111') ? '22222222' : '11111111') : '00000000';
    for (let i = 0; i < 5; i++) expect((await t.enroll(newDeviceKeys(), 'alice', wrongPin)).statusCode).toBe(401);
    expect((await t.enroll(newDeviceKeys(), 'alice', first)).statusCode).toBe(423);
    expect((await t.enroll(newDeviceKeys(), 'alice', second)).statusCode).toBe(423);
  });

  it('requires proof of possession of the enrolled key', async () => {
    const { pin } = await t.createUserWithPin('alice');
    const keys = newDeviceKeys();
    const missing = await t.enroll(keys, 'alice', pin, null);
    expect(missing.statusCode).toBe(401);
    expect(missing.json<{ message: string }>().message).toMatch(/Authorization/);
    expect((await t.enroll(keys, 'alice', pin, newDeviceKeys().privateKey)).statusCode).toBe(401);

    // A token of the right key but for another subject (a device id) is not an enrollment proof.
    const wrongSubject = await t.server.app.inject({
      method: 'POST',
      url: `${DEVICE}/enroll`,
      headers: { authorization: `Bearer ${await signDeviceToken(keys.privateKey, 'some-device')}` },
      payload: { method: 'pin', username: 'alice', pin, publicKey: keys.publicJwk, device: { name: 'x', osName: 'macOS', osVersion: '15', model: 'm', serialNumber: null, agentVersion: '0' } },
    });
    expect(wrongSubject.statusCode).toBe(401);
    // None of the refused attempts used up the PIN.
    expect((await t.enroll(keys, 'alice', pin)).statusCode).toBe(200);
  });

  it('refuses a public key with private parts', async () => {
    const { pin } = await t.createUserWithPin('alice');
    const keys = newDeviceKeys();
    const withPrivate = { ...keys, publicJwk: { ...keys.publicJwk, d: keys.privateKey.export({ format: 'jwk' }).d } as typeof keys.publicJwk };
    const response = await t.enroll(withPrivate, 'alice', pin);
    expect(response.statusCode).toBe(400);
    expect(response.json<{ message: string }>().message).toMatch(/publicKey/);
  });
});
