// Admin API: token authentication, users and PINs, scripts, configurations, and the audit trail of every change.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, TestServer } from './server-fixture';
import { BACKENDS } from '../support/test-databases';

describe.each(BACKENDS)('admin API on %s', (backend) => {
  let t: TestServer;
  beforeEach(async () => {
    t = await TestServer.start({ backend });
  });
  afterEach(async () => {
    await t.stop();
  });

  it.each([
    ['no Authorization header', undefined],
    ['a wrong token', 'Bearer atw_wrongwrongwrongwrongwrongwrongwrongwrongwro'],
    ['a non-bearer scheme', `Basic dXNlcjpwYXNz`],
  ])('refuses a request with %s with 401', async (_name, authorization) => {
    const response = await t.server.app.inject({
      method: 'POST',
      url: `${ADMIN}/users`,
      headers: authorization ? { authorization } : {},
      payload: { username: 'mallory' },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ error: 'unauthorized', message: expect.any(String) });
    expect((await t.adminOk<{ users: unknown[] }>('GET', '/users')).users).toEqual([]);
  });

  it('creates users, refuses a duplicate username and lists them', async () => {
    const created = await t.admin('POST', '/users', { username: 'alice', displayName: 'Alice Liddell' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ id: expect.any(String), username: 'alice', displayName: 'Alice Liddell' });
    const duplicate = await t.admin('POST', '/users', { username: 'alice' });
    expect(duplicate.statusCode).toBe(409);
    expect((await t.adminOk<{ users: { username: string }[] }>('GET', '/users')).users.map((u) => u.username)).toEqual(['alice']);
  });

  it('creates an 8-digit PIN that expires after the requested time, and 404 for an unknown user', async () => {
    const t0 = Date.now();
    const user = await t.adminOk<{ id: string }>('POST', '/users', { username: 'bob' });
    const pin = await t.admin('POST', `/users/${user.id}/registration-pins`, { ttlSeconds: 600 });
    expect(pin.statusCode).toBe(201);
    const body = pin.json<{ pin: string; expiresAt: string }>();
    expect(body.pin).toMatch(/^\d{8}$/);
    const expires = Date.parse(body.expiresAt) - t0;
    expect(expires).toBeGreaterThanOrEqual(600_000 - 1000);
    expect(expires).toBeLessThanOrEqual(600_000 + 5000);
    const defaultTtl = await t.admin('POST', `/users/${user.id}/registration-pins`);
    expect(defaultTtl.statusCode).toBe(201);
    expect(Date.parse(defaultTtl.json<{ expiresAt: string }>().expiresAt) - t0).toBeGreaterThan(6.9 * 86_400_000);
    expect((await t.admin('POST', '/users/00000000-0000-4000-8000-000000000000/registration-pins', {})).statusCode).toBe(404);
  });

  it('stores a script sealed and returns its body to the admin', async () => {
    const created = await t.admin('POST', '/scripts', { name: 'Uptime', type: 'zsh', runAsRoot: true, body: 'uptime\n' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'Uptime', type: 'zsh', runAsRoot: true, version: 1 });
    const id = created.json<{ id: string }>().id;
    expect(await t.adminOk('GET', `/scripts/${id}`)).toMatchObject({ id, body: 'uptime\n', version: 1 });
    expect((await t.adminOk<{ scripts: unknown[] }>('GET', '/scripts')).scripts).toHaveLength(1);
    expect((await t.admin('GET', '/scripts/nope')).statusCode).toBe(404);

    const blob = await t.query((db) => db.selectFrom('blobs').select(['bytes', 'size']).executeTakeFirstOrThrow());
    expect(blob.bytes.length).toBe(blob.size);
    expect(blob.bytes.includes(Buffer.from('uptime'))).toBe(false);
  });

  it('accepts a 1 MB script body and refuses a larger one with 400', async () => {
    const oneMb = 'x'.repeat(1024 * 1024);
    expect((await t.admin('POST', '/scripts', { name: 'Big', type: 'bash', body: oneMb })).statusCode).toBe(201);
    const tooBig = await t.admin('POST', '/scripts', { name: 'Bigger', type: 'bash', body: `${oneMb}x` });
    expect(tooBig.statusCode).toBe(400);
    expect(tooBig.json<{ message: string }>().message).toContain('body');
  });

  it('validates script configurations: script must exist, schedule and variable names must be valid', async () => {
    const script = await t.adminOk<{ id: string }>('POST', '/scripts', { name: 'S', type: 'python', body: 'print(1)' });
    const base = { name: 'C', scriptId: script.id, schedule: { kind: 'once' } };
    expect((await t.admin('POST', '/script-configurations', { ...base, scriptId: 'missing' })).statusCode).toBe(404);
    expect((await t.admin('POST', '/script-configurations', { ...base, scriptVersion: 2 })).statusCode).toBe(404);
    const badSchedule = await t.admin('POST', '/script-configurations', { ...base, schedule: { kind: 'recurring', frequency: 'daily' } });
    expect(badSchedule.statusCode).toBe(400);
    expect(badSchedule.json<{ message: string }>().message).toMatch(/schedule/);
    const badVariable = await t.admin('POST', '/script-configurations', { ...base, variables: { 'A;rm -rf /': 'x' } });
    expect(badVariable.statusCode).toBe(400);
    expect(badVariable.json<{ message: string }>().message).toMatch(/variables/);

    const created = await t.admin('POST', '/script-configurations', { ...base, variables: { TARGET: '$(touch /tmp/x)' } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ version: 1, scriptVersion: 1, distribution: { kind: 'none' }, variables: { TARGET: '$(touch /tmp/x)' } });
    const id = created.json<{ id: string }>().id;
    const distributed = await t.admin('PUT', `/script-configurations/${id}/distribution`, { kind: 'everyone' });
    expect(distributed.statusCode).toBe(200);
    expect(distributed.json()).toMatchObject({ id, distribution: { kind: 'everyone' } });
    expect((await t.admin('PUT', `/script-configurations/${id}/distribution`, { kind: 'some' })).statusCode).toBe(400);
    expect((await t.admin('PUT', '/script-configurations/missing/distribution', { kind: 'none' })).statusCode).toBe(404);
  });

  it('creates agent configurations with defaults for what is not given', async () => {
    const created = await t.admin('POST', '/agent-configurations', { name: 'Fast', checkinFrequencyMinutes: 5, distribution: { kind: 'everyone' } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      name: 'Fast',
      systemDefault: false,
      maxRunTimeSeconds: 60,
      maxResponseSizeKb: 1,
      checkinFrequencyMinutes: 5,
      distribution: { kind: 'everyone' },
    });
    expect((await t.admin('POST', '/agent-configurations', { name: 'Bad', maxRunTimeSeconds: 0 })).statusCode).toBe(400);
    expect((await t.adminOk<{ agentConfigurations: unknown[] }>('GET', '/agent-configurations')).agentConfigurations).toHaveLength(2);
  });

  it('records every admin change in the audit log, without PINs or variable values', async () => {
    const { userId, pin } = await t.createUserWithPin('carol');
    const { configurationId } = await t.createScriptConfiguration('echo hi', 'none');
    await t.adminOk('PUT', `/script-configurations/${configurationId}/distribution`, { kind: 'everyone' });
    await t.distributeSystemDefaultAgentConfiguration();

    const { rows, tokenId } = await t.query(async (db) => ({
      rows: await db.selectFrom('audit_log').select(['actor', 'action', 'target', 'details', 'at']).orderBy('at').execute(),
      tokenId: (await db.selectFrom('admin_tokens').select('id').executeTakeFirstOrThrow()).id,
    }));
    // Changes within one millisecond share `at`, so the order is checked by time and the content as a set.
    expect(rows.map((r) => r.at)).toEqual(rows.map((r) => r.at).sort());
    expect(rows.map((r) => r.action).sort()).toEqual(
      ['user.create', 'registration_pin.create', 'script.create', 'script_configuration.create', 'script_configuration.distribute', 'agent_configuration.distribute'].sort(),
    );
    expect(new Set(rows.map((r) => r.actor))).toEqual(new Set([`admin-token:${tokenId}`]));
    expect(rows.find((r) => r.action === 'user.create')?.target).toBe(`user:${userId}`);
    const all = JSON.stringify(rows);
    expect(all).not.toContain(pin);
    expect(all).not.toContain('"hello"');
    expect(all).toContain('GREETING');
  });
});
