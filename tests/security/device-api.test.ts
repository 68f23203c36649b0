// The device API under attack over real HTTP (issues 4, 9): device B gets 404 for everything of device A, rate and size limits, token lifetimes, malformed input -> 4xx.
import { randomUUID } from 'node:crypto';
import { compactDecrypt, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDeviceToken } from '../../src/shared/node/device-token';
import { CheckinResponseSchema, DEVICE_TOKEN_AUDIENCE, type CheckinResponse } from '../../src/shared/protocol';
import type { ScriptResult } from '../../src/shared/script-result';
import { TicketClaimsSchema } from '../../src/shared/ticket';
import { parseDeviceRateLimits } from '../../src/server/device-api/device-rate-limits';
import { BAD_DEVICE_BODIES } from '../server/bad-device-bodies';
import { DEVICE, newDeviceKeys, TestServer, type DeviceKeys } from '../server/server-fixture';
import { sampleResult } from '../support/sample-result';

interface EnrolledDevice {
  deviceId: string;
  keys: DeviceKeys;
}

const CHECKIN = { agentVersion: '0.1.0', osVersion: '15.1' };

async function call(url: string, path: string, init: { method?: string; token?: string | null; body?: string; contentType?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = init.contentType ?? 'application/json';
  const response = await fetch(`${url}${DEVICE}${path}`, { method: init.method ?? (init.body === undefined ? 'GET' : 'POST'), headers, body: init.body });
  const text = await response.text();
  return { status: response.status, text, headers: response.headers };
}

const tokenOf = (device: EnrolledDevice, subject = device.deviceId) => signDeviceToken(device.keys.privateKey, subject);

function resultFor(configurationId: string): ScriptResult {
  return sampleResult({ configurationId, scriptId: 'script', scriptVersion: 1, scriptName: 'Hello', stdout: 'secret of A', endedAt: new Date().toISOString() });
}

describe('device isolation over HTTP', () => {
  let t: TestServer;
  let url: string;
  let a: EnrolledDevice;
  let b: EnrolledDevice;
  let onlyForA: string;
  let blobPathOfA: string;

  beforeAll(async () => {
    t = await TestServer.start();
    url = await t.server.listen();
    [a, b] = [await t.enrolledDevice('alice'), await t.enrolledDevice('bob')];
    await t.distributeSystemDefaultAgentConfiguration();
    onlyForA = (await t.createScriptConfiguration('echo only for A', 'none')).configurationId;
    await t.adminOk('PUT', `/script-configurations/${onlyForA}/distribution`, { kind: 'custom', devices: [a.deviceId] });
    const answer = CheckinResponseSchema.parse(JSON.parse((await call(url, '/checkin', { token: await tokenOf(a), body: JSON.stringify(CHECKIN) })).text));
    const ticket = answer.scripts.find((s) => s.configurationId === onlyForA)!.ticket;
    const jws = Buffer.from((await compactDecrypt(ticket, a.keys.privateKey)).plaintext).toString();
    blobPathOfA = TicketClaimsSchema.parse(JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString())).blob.path;
  });
  afterAll(async () => {
    await t.stop();
  });

  it("gives B no ticket of A's configuration", async () => {
    const answer: CheckinResponse = CheckinResponseSchema.parse(JSON.parse((await call(url, '/checkin', { token: await tokenOf(b), body: JSON.stringify(CHECKIN) })).text));
    expect(answer.scripts.map((s) => s.configurationId)).not.toContain(onlyForA);
  });

  it("answers B 404 for A's blob, exactly as for a blob that does not exist, while A gets it", async () => {
    const forA = await call(url, blobPathOfA.slice(DEVICE.length), { token: await tokenOf(a) });
    expect(forA.status).toBe(200);
    const forB = await call(url, blobPathOfA.slice(DEVICE.length), { token: await tokenOf(b) });
    const missing = await call(url, `/blobs/${randomUUID()}`, { token: await tokenOf(b) });
    expect(forB.status).toBe(404);
    expect(forB.text).toBe(missing.text);
  });

  it("answers B 404 for results of A's configuration, while A's are accepted", async () => {
    const fromB = await call(url, '/results', { token: await tokenOf(b), body: JSON.stringify({ results: [resultFor(onlyForA)] }) });
    expect(fromB.status).toBe(404);
    const fromA = await call(url, '/results', { token: await tokenOf(a), body: JSON.stringify({ results: [resultFor(onlyForA)] }) });
    expect(fromA.status).toBe(200);
  });

  it("refuses B's key presented under A's device id", async () => {
    const response = await call(url, '/checkin', { token: await tokenOf(b, a.deviceId), body: JSON.stringify(CHECKIN) });
    expect(response.status).toBe(401);
  });

  it("refuses a retired device's key: retiring revokes it", async () => {
    const c = await t.enrolledDevice('carol');
    expect((await call(url, '/checkin', { token: await tokenOf(c), body: JSON.stringify(CHECKIN) })).status).toBe(200);
    await t.query((db) => db.updateTable('devices').set({ status: 'retired' }).where('id', '=', c.deviceId).execute());
    expect((await call(url, '/checkin', { token: await tokenOf(c), body: JSON.stringify(CHECKIN) })).status).toBe(401);
  });
});

describe('device API rate and size limits', () => {
  let t: TestServer;
  let url: string;
  let a: EnrolledDevice;
  let b: EnrolledDevice;

  beforeAll(async () => {
    t = await TestServer.start({ deviceRateLimits: { perDevice: 5, enrollPerAddress: 6, perAddress: 60 } });
    url = await t.server.listen();
    // These two enrollments come from 127.0.0.1 too: they leave 4 of the 6 enrollment attempts for the test below.
    [a, b] = [await t.enrolledDevice('alice'), await t.enrolledDevice('bob')];
  });
  afterAll(async () => {
    await t.stop();
  });

  it('stops one device after its budget with 429 and Retry-After, without touching another device', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await call(url, '/checkin', { token: await tokenOf(a), body: JSON.stringify(CHECKIN) })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const limited = await call(url, '/checkin', { token: await tokenOf(a), body: JSON.stringify(CHECKIN) });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(JSON.parse(limited.text)).toMatchObject({ error: 'rate_limited', message: expect.stringMatching(/^Too many requests from this device/) });
    expect((await call(url, '/checkin', { token: await tokenOf(b), body: JSON.stringify(CHECKIN) })).status).toBe(200);
  });

  it('slows enrollment attempts from one address', async () => {
    const keys = newDeviceKeys();
    const attempt = async () =>
      (
        await call(url, '/enroll', {
          token: await signDeviceToken(keys.privateKey, 'enroll'),
          body: JSON.stringify({ method: 'pin', username: 'alice', pin: '00000000', publicKey: keys.publicJwk, device: { name: 'x', osName: 'macOS', osVersion: '15', model: 'm', serialNumber: null, agentVersion: '0.1.0' } }),
        })
      ).status;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push(await attempt());
    expect(statuses.slice(0, 4), JSON.stringify(statuses)).toEqual([401, 401, 401, 401]);
    expect(statuses.slice(4)).toEqual([429, 429]);
  });

  it('refuses bodies larger than each endpoint needs with 413 before parsing them', async () => {
    const padding = 'x'.repeat(20 * 1024);
    const checkin = await call(url, '/checkin', { token: await tokenOf(b), body: JSON.stringify({ ...CHECKIN, padding }) });
    expect(checkin.status).toBe(413);
    expect(JSON.parse(checkin.text)).toMatchObject({ error: 'payload_too_large' });
    const enroll = await call(url, '/enroll', { body: JSON.stringify({ padding }) });
    // Enrollment is refused by its size (413) or, once the address is over its budget, by the limit (429): never parsed.
    expect([413, 429]).toContain(enroll.status);
    const results = await call(url, '/results', { token: await tokenOf(b), body: `{"results":"${'x'.repeat(2 * 1024 * 1024)}"}` });
    expect(results.status).toBe(413);
  });

  it('reads limits from `serve --device-rate-limits` and refuses anything else', () => {
    expect(parseDeviceRateLimits('perAddress=5000, perDevice=600')).toEqual({ perAddress: 5000, perDevice: 600 });
    for (const bad of ['perAddress=0', 'perDevice=-1', 'everything=1', 'perDevice', 'perDevice=1e9']) {
      expect(() => parseDeviceRateLimits(bad), bad).toThrow(/is not one of/);
    }
  });

  it('stops an unauthenticated flood from one address', async () => {
    const statuses = new Set<number>();
    for (let i = 0; i < 70; i++) statuses.add((await call(url, '/checkin', { token: 'garbage', body: '{}' })).status);
    expect(statuses).toEqual(new Set([401, 429]));
  });
});

// Issue 9: /inventory was registered outside the scope the device limits apply to.
describe('device API rate limits on /inventory', () => {
  let t: TestServer;
  let url: string;
  let a: EnrolledDevice;

  beforeAll(async () => {
    t = await TestServer.start({ deviceRateLimits: { perDevice: 3, enrollPerAddress: 6, perAddress: 40 } });
    url = await t.server.listen();
    a = await t.enrolledDevice('alice');
  });
  afterAll(async () => {
    await t.stop();
  });

  it('stops one device after its budget with 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await call(url, '/inventory', { token: await tokenOf(a), body: JSON.stringify({ apps: [] }) })).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });

  it('stops an unauthenticated flood from one address', async () => {
    const statuses = new Set<number>();
    for (let i = 0; i < 50; i++) statuses.add((await call(url, '/inventory', { token: 'garbage', body: '{"apps":[]}' })).status);
    expect(statuses).toEqual(new Set([401, 429]));
  });
});

describe('device token lifetime over HTTP', () => {
  let t: TestServer;
  let url: string;
  let a: EnrolledDevice;

  beforeAll(async () => {
    t = await TestServer.start();
    url = await t.server.listen();
    a = await t.enrolledDevice('alice');
  });
  afterAll(async () => {
    await t.stop();
  });

  it('refuses a 60 s token 170 s after it was signed and one whose iat is 110 s ahead', async () => {
    const checkin = async (token: string) => (await call(url, '/checkin', { token, body: JSON.stringify(CHECKIN) })).status;
    expect(await checkin(await signDeviceToken(a.keys.privateKey, a.deviceId, new Date(Date.now() - 100_000)))).toBe(200);
    expect(await checkin(await signDeviceToken(a.keys.privateKey, a.deviceId, new Date(Date.now() - 170_000)))).toBe(401);
    expect(await checkin(await signDeviceToken(a.keys.privateKey, a.deviceId, new Date(Date.now() + 110_000)))).toBe(401);
    const iat = Math.floor(Date.now() / 1000);
    const yearLong = await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setSubject(a.deviceId).setAudience(DEVICE_TOKEN_AUDIENCE).setIssuedAt(iat).setExpirationTime(iat + 365 * 86_400).setJti(randomUUID()).sign(a.keys.privateKey);
    expect(await checkin(yearLong)).toBe(401);
  });
});

describe('malformed input on every device endpoint', () => {
  let t: TestServer;
  let url: string;
  let a: EnrolledDevice;

  beforeAll(async () => {
    t = await TestServer.start({ deviceRateLimits: { perDevice: 10_000, enrollPerAddress: 10_000, perAddress: 100_000 } });
    url = await t.server.listen();
    a = await t.enrolledDevice('alice');
  });
  afterAll(async () => {
    await t.stop();
  });

  const ENDPOINTS: { method: 'GET' | 'POST'; path: string }[] = [
    { method: 'POST', path: '/enroll' },
    { method: 'POST', path: '/checkin' },
    { method: 'POST', path: '/results' },
    { method: 'POST', path: '/events' },
    { method: 'GET', path: `/blobs/${randomUUID()}` },
  ];

  const badTokens: [string, () => Promise<string | null>][] = [
    ['no token', async () => null],
    ['a token that is not a JWT', async () => 'not.a.jwt'],
    ['alg none', async () => new UnsecuredJWT({}).setSubject(a.deviceId).setAudience(DEVICE_TOKEN_AUDIENCE).setIssuedAt().setExpirationTime('1m').encode()],
    ['HS256 keyed with the public key', async () => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(a.deviceId).setAudience(DEVICE_TOKEN_AUDIENCE).setIssuedAt().setExpirationTime('1m').setJti(randomUUID()).sign(Buffer.from(JSON.stringify(a.keys.publicJwk)))],
    ['an expired token', async () => signDeviceToken(a.keys.privateKey, a.deviceId, new Date(Date.now() - 3600_000))],
    ['a token of an unknown device', async () => signDeviceToken(a.keys.privateKey, randomUUID())],
    ['a token with a 3000-character subject', async () => signDeviceToken(a.keys.privateKey, 'x'.repeat(3000))],
  ];

  // Enrollment's token is its proof of possession, checked against the key in the body: see tests/server/enrollment.test.ts.
  it.each(badTokens)('answers 401 with a message to %s on every signed endpoint', async (_name, token) => {
    for (const e of ENDPOINTS.filter((x) => x.path !== '/enroll')) {
      const response = await call(url, e.path, { method: e.method, token: await token(), body: e.method === 'POST' ? '{}' : undefined });
      expect(response.status, `${e.method} ${e.path}`).toBe(401);
      expect(JSON.parse(response.text), e.path).toMatchObject({ error: 'unauthorized', message: expect.any(String) });
    }
  });

  it.each(BAD_DEVICE_BODIES)('answers 4xx with a message to %s on every POST endpoint, never 5xx', async (_name, body, contentType) => {
    for (const e of ENDPOINTS.filter((x) => x.method === 'POST')) {
      const token = e.path === '/enroll' ? await signDeviceToken(a.keys.privateKey, 'enroll') : await tokenOf(a);
      const response = await call(url, e.path, { token, body, contentType });
      expect(response.status, `${e.path} ${response.text}`).toBeGreaterThanOrEqual(400);
      expect(response.status, `${e.path} ${response.text}`).toBeLessThan(500);
      expect(JSON.parse(response.text), e.path).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    }
  });

  const badBlobIds: [string, string][] = [
    ['a path traversal', '..%2F..%2Fadmin-token'],
    ['5000 characters', 'x'.repeat(5000)],
    ['an emoji', '%F0%9F%92%A5'],
    ['a NUL byte', '%00'],
    ['SQL', "1' OR '1'='1"],
  ];
  it.each(badBlobIds)('answers 4xx to a blob id with %s', async (_name, id) => {
    const response = await call(url, `/blobs/${id}`, { token: await tokenOf(a) });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });

  it('answers 4xx to an oversized Authorization header', async () => {
    for (const size of [3000, 20_000]) {
      const response = await call(url, '/checkin', { token: 'x'.repeat(size), body: '{}' });
      expect(response.status, `${size}`).toBeGreaterThanOrEqual(400);
      expect(response.status, `${size}`).toBeLessThan(500);
    }
  });
});
