// Bad input never gives a 5xx: malformed JSON, wrong shapes, oversized bodies and unknown routes all get a 4xx with {error, message}.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, DEVICE, TestServer, type DeviceKeys } from './server-fixture';
import { signDeviceToken } from '../../src/shared/node/device-token';
import { BACKENDS } from '../support/test-databases';

describe.each(BACKENDS)('bad input on %s', (backend) => {
  let t: TestServer;
  let device: { deviceId: string; keys: DeviceKeys };
  let userId: string;
  let url: string;
  beforeAll(async () => {
    t = await TestServer.start({ backend });
    device = await t.enrolledDevice('alice');
    userId = (await t.adminOk<{ users: { id: string }[] }>('GET', '/users')).users[0]!.id;
    url = await t.server.listen();
  });
  afterAll(async () => {
    await t.stop();
  });

  const endpoints = (): { method: 'POST' | 'PUT'; path: string; auth: () => Promise<string> }[] => {
    const admin = async () => `Bearer ${t.adminToken}`;
    const dev = async () => `Bearer ${await signDeviceToken(device.keys.privateKey, device.deviceId)}`;
    return [
      { method: 'POST', path: `${ADMIN}/users`, auth: admin },
      { method: 'POST', path: `${ADMIN}/users/${userId}/registration-pins`, auth: admin },
      { method: 'POST', path: `${ADMIN}/scripts`, auth: admin },
      { method: 'POST', path: `${ADMIN}/agent-configurations`, auth: admin },
      { method: 'POST', path: `${ADMIN}/script-configurations`, auth: admin },
      { method: 'POST', path: `${DEVICE}/enroll`, auth: dev },
      { method: 'POST', path: `${DEVICE}/checkin`, auth: dev },
      { method: 'POST', path: `${DEVICE}/results`, auth: dev },
      { method: 'POST', path: `${DEVICE}/events`, auth: dev },
    ];
  };

  const send = async (method: string, path: string, authorization: string, body: string, contentType = 'application/json') =>
    fetch(`${url}${path}`, { method, headers: { authorization, 'content-type': contentType }, body });

  it.each(['{"username":', '{bad json}', '', '{"__proto__":{"x":1}}'])('answers 400 to the malformed body %j on every endpoint', async (body) => {
    for (const e of endpoints()) {
      const response = await send(e.method, e.path, await e.auth(), body);
      expect(response.status, `${e.path}`).toBe(400);
      expect(await response.json(), e.path).toMatchObject({ error: 'bad_request', message: expect.any(String) });
    }
  });

  it.each(['null', '[]', '"text"', '42', '{"results":"x","events":[{}],"username":7}'])('answers 400 to the wrongly shaped body %s on every endpoint', async (body) => {
    for (const e of endpoints()) {
      const response = await send(e.method, e.path, await e.auth(), body);
      expect(response.status, `${e.path} ${body}`).toBe(400);
      const json = (await response.json()) as { error: string; message: string };
      expect(json.error).toBe('bad_request');
      expect(json.message).toMatch(/^Invalid .+\.$/);
    }
  });

  it('names the offending field', async () => {
    const response = await t.server.app.inject({
      method: 'POST',
      url: `${DEVICE}/checkin`,
      headers: { authorization: `Bearer ${await signDeviceToken(device.keys.privateKey, device.deviceId)}` },
      payload: { agentVersion: 'x'.repeat(51), osVersion: '15' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ message: string }>().message).toMatch(/^Invalid agentVersion: /);
  });

  it('answers 413 to a body over 1 MB and 415 to a body of a type the server does not read', async () => {
    const big = JSON.stringify({ username: 'x'.repeat(1024 * 1024) });
    const tooLarge = await send('POST', `${ADMIN}/users`, `Bearer ${t.adminToken}`, big);
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ error: 'payload_too_large' });
    const text = await send('POST', `${ADMIN}/users`, `Bearer ${t.adminToken}`, '<user>x</user>', 'application/xml');
    expect(text.status).toBe(415);
  });

  it('answers 404 with an error body to unknown routes and unknown ids', async () => {
    for (const path of ['/nope', `${ADMIN}/nope`, `${DEVICE}/nope`, `${ADMIN}/devices/${'x'.repeat(100)}`, `${ADMIN}/scripts/unknown`]) {
      const response = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${t.adminToken}` } });
      expect(response.status, path).toBe(404);
      expect(await response.json(), path).toMatchObject({ error: 'not_found', message: expect.any(String) });
    }
  });

  it('refuses an oversized or malformed Authorization header with 401', async () => {
    for (const authorization of [`Bearer ${'a'.repeat(9000)}`, 'Bearer a b', 'Bearer']) {
      const response = await send('POST', `${ADMIN}/users`, authorization, '{"username":"x"}');
      expect(response.status, authorization.slice(0, 20)).toBe(401);
    }
  });
});
