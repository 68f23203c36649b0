// Issue 10: every route of the device route table gets its rate limits, refuses bad input with a 4xx and refuses other and retired devices (issue 11: and the catalog's).
import { randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG_IMAGE_PATH, CATALOG_PATH } from '../../src/shared/catalog-protocol';
import { ENROLL_SUBJECT, signDeviceToken } from '../../src/shared/node/device-token';
import type { EnrollResponse } from '../../src/shared/protocol';
import { DEVICE_API_ROUTES } from '../../src/server/device-api/device-api-catalog';
import type { DeviceRouteSpec } from '../../src/server/device-api/device-route';
import { BACKENDS } from '../support/test-databases';
import { BAD_DEVICE_BODIES } from './bad-device-bodies';
import { sampleResult } from '../support/sample-result';
import { DEVICE, newDeviceKeys, TestServer, type DeviceKeys } from './server-fixture';
import { adminUpload, createApp, png } from './catalog-fixture';

interface Device {
  deviceId: string;
  keys: DeviceKeys;
}

interface Call {
  /** Path parameter values by name. */
  params?: Record<string, string>;
  query?: string;
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  token?: string | null;
  /** Each address has its own per-address budget, so one check does not use up another's. */
  from?: string;
}

/** What the tests know of a route: a call it accepts from device A, and how it answers another device for A's resource. */
interface RouteCase {
  acceptedFromA(): Promise<Call>;
  /** 404 where the call names a resource of A (answered as one that does not exist); absent where it names none. */
  otherDevice?: 404;
  /** The call acts on its caller (retire), so another device's own call is tried by a device made for it. */
  actsOnCaller?: true;
  /** The status of the accepted call, when not 200. */
  status?: 204;
}

const keyOf = (route: DeviceRouteSpec) => `${route.method} ${route.path}`;
const FACTS = { name: 'Mac', osName: 'macOS', osVersion: '15.1', model: 'Mac15,3', serialNumber: null, agentVersion: '0.1.0' };
const enrollBody = (keys: DeviceKeys, username: string, pin: string) => ({ method: 'pin', username, pin, publicKey: keys.publicJwk, device: FACTS });

async function call(t: TestServer, route: DeviceRouteSpec, c: Call = {}) {
  const path = route.path.replace(/:(\w+)/g, (_, name: string) => c.params?.[name] ?? randomUUID());
  const headers: Record<string, string> = c.token ? { authorization: `Bearer ${c.token}` } : {};
  if (c.contentType !== undefined) headers['content-type'] = c.contentType;
  const payload = c.rawBody ?? (c.body === undefined ? undefined : JSON.stringify(c.body));
  if (payload !== undefined && c.contentType === undefined) headers['content-type'] = 'application/json';
  return t.server.app.inject({
    method: route.method,
    url: `${DEVICE}${path}${c.query ?? ''}`,
    headers,
    remoteAddress: c.from ?? '127.0.0.1',
    ...(payload === undefined ? {} : { payload }),
  });
}

/** Enrolls a fresh device from its own address, so enrolling many does not use up one address's enrollment budget. */
async function enrollFrom(t: TestServer, username: string, from: string): Promise<Device> {
  const { pin } = await t.createUserWithPin(username);
  const keys = newDeviceKeys();
  const response = await t.server.app.inject({
    method: 'POST',
    url: `${DEVICE}/enroll`,
    remoteAddress: from,
    headers: { authorization: `Bearer ${await signDeviceToken(keys.privateKey, ENROLL_SUBJECT)}` },
    payload: enrollBody(keys, username, pin),
  });
  if (response.statusCode !== 200) throw new Error(`enroll -> ${response.statusCode} ${response.body}`);
  return { deviceId: response.json<EnrollResponse>().deviceId, keys };
}

const tokenOf = (device: Device, key: KeyObject = device.keys.privateKey) => signDeviceToken(key, device.deviceId);

/** The fleet the route cases run against: A with a script configuration only for it, B, and C, retired. */
async function fleet(t: TestServer) {
  const [a, b, c] = [await enrollFrom(t, 'alice', '10.9.0.1'), await enrollFrom(t, 'bob', '10.9.0.2'), await enrollFrom(t, 'carol', '10.9.0.3')];
  await t.distributeSystemDefaultAgentConfiguration();
  const { scriptId, configurationId } = await t.createScriptConfiguration('echo only for A', 'none');
  await t.adminOk('PUT', `/script-configurations/${configurationId}/distribution`, { kind: 'custom', devices: [a.deviceId] });
  expect((await t.device(a.keys, a.deviceId, 'POST', '/checkin', { agentVersion: '0.1.0', osVersion: '15.1' })).statusCode).toBe(200);
  const { blob_id: blobOfA } = await t.query((db) => db.selectFrom('script_versions').select('blob_id').where('script_id', '=', scriptId).executeTakeFirstOrThrow());
  await t.query((db) => db.updateTable('devices').set({ status: 'retired' }).where('id', '=', c.deviceId).execute());
  const resultOfA = () => sampleResult({ configurationId, scriptId, scriptVersion: 1, scriptName: 'Hello', stdout: 'x', endedAt: new Date().toISOString() });
  const { id: appOfA } = await createApp(t, { distribution: { kind: 'custom', devices: [a.deviceId] } });
  expect((await adminUpload(t, 'PUT', `/apps/${appOfA}/package`, Buffer.from('a package'))).statusCode).toBe(200);
  const iconUpload = await adminUpload(t, 'PUT', `/apps/${appOfA}/icon`, await png(64, 64));
  const icon = iconUpload.json<{ icon: { sha256: string } }>().icon.sha256;
  const catalog = CATALOG_PATH.slice(DEVICE.length);
  const ofA = async () => ({ params: { id: appOfA }, token: await tokenOf(a) });
  let retiring = 0;
  const cases: Record<string, RouteCase> = {
    'POST /enroll': {
      acceptedFromA: async () => {
        const keys = newDeviceKeys();
        const username = `dave-${randomUUID().slice(0, 8)}`;
        const { pin } = await t.createUserWithPin(username);
        return { body: enrollBody(keys, username, pin), token: await signDeviceToken(keys.privateKey, ENROLL_SUBJECT) };
      },
    },
    'POST /checkin': { acceptedFromA: async () => ({ body: { agentVersion: '0.1.0', osVersion: '15.1' }, token: await tokenOf(a) }) },
    'GET /blobs/:id': { acceptedFromA: async () => ({ params: { id: blobOfA }, token: await tokenOf(a) }), otherDevice: 404 },
    'POST /results': { acceptedFromA: async () => ({ body: { results: [resultOfA()] }, token: await tokenOf(a) }), otherDevice: 404 },
    'POST /events': {
      acceptedFromA: async () => ({ body: { events: [{ id: randomUUID(), type: 'onboarding.step_done', at: new Date().toISOString(), message: 'ok' }] }, token: await tokenOf(a) }),
    },
    'POST /inventory': { acceptedFromA: async () => ({ body: { apps: [] }, token: await tokenOf(a) }) },
    [`GET ${catalog}/apps`]: { acceptedFromA: async () => ({ query: '?search=notes&limit=5', token: await tokenOf(a) }) },
    [`GET ${catalog}/apps/:id`]: { acceptedFromA: ofA, otherDevice: 404 },
    [`GET ${catalog}/apps/:id/reviews`]: { acceptedFromA: ofA, otherDevice: 404 },
    [`PUT ${catalog}/apps/:id/review`]: { acceptedFromA: async () => ({ ...(await ofA()), body: { rating: 4, title: 'Good', text: 'Works.' } }), otherDevice: 404 },
    [`POST ${catalog}/apps/:id/install-ticket`]: { acceptedFromA: ofA, otherDevice: 404 },
    [`GET ${catalog}/apps/:id/package`]: { acceptedFromA: ofA, otherDevice: 404 },
    [`POST ${catalog}/apps/:id/install-report`]: {
      acceptedFromA: async () => ({ ...(await ofA()), body: { state: 'installed', version: '1.0', at: new Date().toISOString(), message: null } }),
      otherDevice: 404,
      status: 204,
    },
    [`GET ${CATALOG_IMAGE_PATH.slice(DEVICE.length)}/:sha256`]: { acceptedFromA: async () => ({ params: { sha256: icon } }) },
    // Each accepted call retires a device of its own, so A stays enrolled for the other cases.
    'POST /retire': {
      acceptedFromA: async () => {
        const retiree = await enrollFrom(t, `retiree-${randomUUID().slice(0, 8)}`, `10.8.${Math.floor(retiring / 250)}.${(retiring++ % 250) + 1}`);
        return { body: { reason: 'Uninstalled from About' }, token: await tokenOf(retiree) };
      },
      actsOnCaller: true,
    },
  };
  return { a, b, c, cases };
}

describe('the device route table', () => {
  it('lists each route once', () => {
    const keys = DEVICE_API_ROUTES.map(keyOf);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('rate limits on every device route', () => {
  const LIMITS = { perDevice: 3, enrollPerAddress: 2, perAddress: 6 };
  let t: TestServer;
  beforeAll(async () => {
    t = await TestServer.start({ deviceRateLimits: LIMITS });
  });
  afterAll(async () => {
    await t.stop();
  });

  it.each(DEVICE_API_ROUTES.map((route, i) => [keyOf(route), route, i] as const))('limits %s per address', async (_name, route, i) => {
    const statuses: number[] = [];
    for (let n = 0; n < LIMITS.perAddress; n++) statuses.push((await call(t, route, { from: `10.1.${i}.1`, body: {} })).statusCode);
    expect(statuses.slice(0, route.authentication === 'enrollment-proof' ? LIMITS.enrollPerAddress : LIMITS.perAddress), JSON.stringify(statuses)).not.toContain(429);
    const limited = await call(t, route, { from: `10.1.${i}.1`, body: {} });
    expect(limited.json(), keyOf(route)).toMatchObject({ error: 'rate_limited', message: expect.stringMatching(/^Too many requests from this address/) });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  const enrollmentRoutes = DEVICE_API_ROUTES.filter((r) => r.authentication === 'enrollment-proof');
  it.each(enrollmentRoutes.map((route, i) => [keyOf(route), route, i] as const))('limits enrollment attempts on %s', async (_name, route, i) => {
    const statuses: number[] = [];
    for (let n = 0; n < LIMITS.enrollPerAddress; n++) statuses.push((await call(t, route, { from: `10.2.${i}.1`, body: {} })).statusCode);
    expect(statuses).not.toContain(429);
    expect((await call(t, route, { from: `10.2.${i}.1`, body: {} })).json()).toMatchObject({ message: expect.stringMatching(/^Too many enrollment attempts/) });
  });

  const signedRoutes = DEVICE_API_ROUTES.filter((r) => r.authentication === 'device-token');
  it.each(signedRoutes.map((route, i) => [keyOf(route), route, i] as const))('limits one device on %s', async (_name, route, i) => {
    const device = await enrollFrom(t, `device-${i}`, `10.3.${i}.1`);
    const other = await enrollFrom(t, `other-${i}`, `10.3.${i}.2`);
    const statuses: number[] = [];
    for (let n = 0; n < LIMITS.perDevice; n++) statuses.push((await call(t, route, { from: `10.4.${i}.${n}`, token: await tokenOf(device), body: {} })).statusCode);
    expect(statuses, JSON.stringify(statuses)).not.toContain(429);
    const limited = await call(t, route, { from: `10.4.${i}.9`, token: await tokenOf(device), body: {} });
    expect(limited.json()).toMatchObject({ error: 'rate_limited', message: expect.stringMatching(/^Too many requests from this device/) });
    expect((await call(t, route, { from: `10.4.${i}.10`, token: await tokenOf(other), body: {} })).statusCode).not.toBe(429);
  });
});

describe.each(BACKENDS)('every device route on %s', (backend) => {
  let t: TestServer;
  let f: Awaited<ReturnType<typeof fleet>>;
  beforeAll(async () => {
    t = await TestServer.start({ backend, deviceRateLimits: { perDevice: 10_000, enrollPerAddress: 10_000, perAddress: 100_000 } });
    f = await fleet(t);
  });
  afterAll(async () => {
    await t.stop();
  });

  const caseOf = (route: DeviceRouteSpec): RouteCase => {
    const known = f.cases[keyOf(route)];
    if (known === undefined) throw new Error(`${keyOf(route)} has no case in this test: add one saying what it accepts from device A`);
    return known;
  };
  const routes = DEVICE_API_ROUTES.map((route) => [keyOf(route), route] as const);

  it.each(routes)('accepts the call of its case on %s', async (_name, route) => {
    const response = await call(t, route, await caseOf(route).acceptedFromA());
    expect(response.statusCode, response.body).toBe(caseOf(route).status ?? 200);
  });

  it('leaves only the catalog images without device authentication, and serves them to anybody', async () => {
    const open = DEVICE_API_ROUTES.filter((r) => r.authentication === 'none');
    expect(open.map(keyOf)).toEqual([`GET ${CATALOG_IMAGE_PATH.slice(DEVICE.length)}/:sha256`]);
    for (const route of open) {
      const accepted = await caseOf(route).acceptedFromA();
      expect((await call(t, route, { ...accepted, token: null })).statusCode).toBe(200);
      expect((await call(t, route, { ...accepted, token: await tokenOf(f.c) })).statusCode).toBe(200);
    }
  });

  it.each(routes.filter(([, route]) => route.authentication !== 'none'))("refuses another device's key and a retired device on %s", async (_name, route) => {
    const accepted = await caseOf(route).acceptedFromA();
    // A token signed by B's key, for A's device id or for enrollment, proves nothing about A's key or the key being enrolled.
    const subject = route.authentication === 'device-token' ? f.a.deviceId : ENROLL_SUBJECT;
    expect((await call(t, route, { ...accepted, token: await signDeviceToken(f.b.keys.privateKey, subject) })).statusCode).toBe(401);
    expect((await call(t, route, { ...accepted, token: await tokenOf(f.c) })).statusCode).toBe(401);
  });

  it.each(routes.filter(([, route]) => route.authentication === 'device-token'))("answers another device for A's resource on %s as its contract says", async (_name, route) => {
    const known = caseOf(route);
    // A call that acts on its caller is tried by a device of its own, so that B stays enrolled.
    const other = known.actsOnCaller ? await enrollFrom(t, `other-${randomUUID().slice(0, 8)}`, '10.7.0.1') : f.b;
    const forB = await call(t, route, { ...(await known.acceptedFromA()), token: await tokenOf(other) });
    if (known.otherDevice === 404) expect(forB.statusCode, forB.body).toBe(404);
    else expect(forB.statusCode, `${keyOf(route)} names nothing of A, so B's own call is its own: ${forB.body}`).toBe(known.status ?? 200);
  });

  const badBodies: [string, string, string?][] = [
    ...BAD_DEVICE_BODIES,
    ['wrong types for the inventory', '{"apps":"x"}'],
    ['NUL in every string', '{"agentVersion":"\\u0000","apps":[{"bundleId":"\\u0000","name":"\\u0000","version":null}]}'],
  ];
  const badParams = ['%00', 'x'.repeat(5000), '..%2F..%2Fadmin-token', '%F0%9F%92%A5', "1' OR '1'='1", '%E0%A4%A'];

  it.each(routes)('answers bad input on %s with a 4xx and a message, never a 5xx', async (_name, route) => {
    const bad: [string, (accepted: Call) => Call][] = [['an unknown query parameter', (c) => ({ ...c, query: '?debug=%00' })]];
    if (route.method !== 'GET') for (const [name, rawBody, contentType] of badBodies) bad.push([name, (c) => ({ ...c, body: undefined, rawBody, contentType })]);
    for (const name of route.path.match(/:\w+/g) ?? []) {
      for (const value of badParams) bad.push([`${name} = ${value.slice(0, 20)}`, (c) => ({ ...c, params: { ...c.params, [name.slice(1)]: value } })]);
    }
    for (const [what, spoil] of bad) {
      // A fresh accepted call each time: tokens are single-use.
      const fresh = spoil(await caseOf(route).acceptedFromA());
      const response = await call(t, route, fresh);
      expect(response.statusCode, `${what}: ${response.body}`).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, `${what}: ${response.body}`).toBeLessThan(500);
      expect(response.json(), what).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    }
  });
});
