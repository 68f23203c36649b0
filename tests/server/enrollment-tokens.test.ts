// Automated enrollment (issue 12) on both databases: enrollment tokens made, listed and revoked through the admin API and the CLI, and devices enrolling with them.
import { randomBytes, randomUUID } from 'node:crypto';
import { Migrator } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signDeviceToken } from '../../src/shared/node/device-token';
import { sha256Hex } from '../../src/shared/node/blob-cipher';
import { ENROLLMENT_TOKEN_PATTERN, EnrollResponseSchema } from '../../src/shared/protocol';
import { adminCommand } from '../../src/server/admin-api/admin-cli/admin-command';
import { openDatabase } from '../../src/server/db/database';
import { MIGRATIONS, migrateToLatest } from '../../src/server/db/migrations';
import { BACKENDS, createTestDatabase } from '../support/test-databases';
import { DEVICE, TestServer, makeTempDir, newDeviceKeys, removeDir, type DeviceKeys } from './server-fixture';

const UNUSABLE = 'The enrollment token is unknown, revoked or expired; ask your administrator for a new one.';
const DAY_MS = 24 * 3600 * 1000;

interface TokenView {
  id: string;
  name: string;
  userId: string;
  username: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  state: 'live' | 'expired' | 'revoked';
  enrollments: number;
}

interface DeviceView {
  id: string;
  userId: string;
  username: string;
  enrolledAt: string;
  enrollment: { method: string; enrolledAt: string; tokenId: string | null };
}

describe.each(BACKENDS)('enrollment tokens on %s', (backend) => {
  let t: TestServer;
  let start: Date;
  let clock: Date;
  /** The instant `ms` after the test started, as the API writes it. */
  const at = (ms = 0) => new Date(start.getTime() + ms).toISOString();
  beforeEach(async () => {
    // Whole seconds near real time: PIN enrollment in the fixture signs its proofs with the real clock.
    start = new Date(Math.floor(Date.now() / 1000) * 1000);
    clock = start;
    t = await TestServer.start({ backend, now: () => clock });
  });
  afterEach(async () => {
    await t.stop();
  });

  async function createUser(username: string): Promise<string> {
    return (await t.adminOk<{ id: string }>('POST', '/users', { username })).id;
  }

  async function createToken(userId: string, extra: Record<string, unknown> = {}): Promise<TokenView & { token: string }> {
    const response = await t.admin('POST', '/enrollment-tokens', { name: 'ADE prestage', userId, ...extra });
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  }

  const enrollWithToken = (token: unknown, keys?: DeviceKeys, name?: string) => t.enrollWithToken(token, keys, name, clock);

  async function checkIn(keys: DeviceKeys, deviceId: string) {
    return t.server.app.inject({
      method: 'POST',
      url: `${DEVICE}/checkin`,
      headers: { authorization: `Bearer ${await signDeviceToken(keys.privateKey, deviceId, clock)}` },
      payload: { agentVersion: '0.4.0', osVersion: '15.2' },
    });
  }

  const deviceCount = () => t.query(async (db) => Number((await db.selectFrom('devices').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n));

  it('creates a token shown once: it matches the pattern, only its sha256 is stored, and list and get never show it', async () => {
    const userId = await createUser('kiosk');
    const created = await createToken(userId);
    expect(created.token).toMatch(ENROLLMENT_TOKEN_PATTERN);
    expect(created).toEqual({
      id: expect.any(String),
      name: 'ADE prestage',
      userId,
      username: 'kiosk',
      createdAt: at(),
      expiresAt: at(30 * DAY_MS),
      revokedAt: null,
      state: 'live',
      enrollments: 0,
      token: created.token,
    });
    const { token, ...view } = created;

    const list = await t.admin('GET', '/enrollment-tokens');
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({ enrollmentTokens: [view] });
    expect(list.body).not.toContain(token);
    const get = await t.admin('GET', `/enrollment-tokens/${created.id}`);
    expect(get.json()).toEqual({ ...view, devices: [] });
    expect(get.body).not.toContain(token);

    const stored = await t.query((db) => db.selectFrom('enrollment_tokens').selectAll().execute());
    expect(stored).toHaveLength(1);
    expect(stored[0]!.token_hash).toBe(sha256Hex(token));
    expect(JSON.stringify(stored)).not.toContain(token.slice(5));
    // Each token is new.
    expect((await createToken(userId)).token).not.toBe(token);
  });

  it('takes a lifetime from one hour to a year, and refuses an unknown user with one sentence', async () => {
    const userId = await createUser('kiosk');
    expect((await createToken(userId, { ttlSeconds: 3600 })).expiresAt).toBe(at(3600 * 1000));
    expect((await createToken(userId, { ttlSeconds: 365 * 24 * 3600 })).expiresAt).toBe(at(365 * DAY_MS));
    for (const ttlSeconds of [3599, 365 * 24 * 3600 + 1]) {
      const response = await t.admin('POST', '/enrollment-tokens', { name: 'x', userId, ttlSeconds });
      expect(response.statusCode).toBe(400);
      expect(response.json<{ message: string }>().message).toMatch(/^Invalid ttlSeconds: /);
    }
    expect((await t.admin('POST', '/enrollment-tokens', { name: ' ', userId })).statusCode).toBe(400);
    expect((await t.admin('POST', '/enrollment-tokens', { name: 'x'.repeat(201), userId })).statusCode).toBe(400);

    const unknownId = randomUUID();
    const unknown = await t.admin('POST', '/enrollment-tokens', { name: 'x', userId: unknownId });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({ error: 'not_found', message: `User ${unknownId} does not exist; name an existing user, or leave userId out to enroll devices without a user.` });
    expect((await t.adminOk<{ enrollmentTokens: unknown[] }>('GET', '/enrollment-tokens')).enrollmentTokens).toHaveLength(2);
  });

  it('enrolls any number of devices with one token, each recorded as automated with the token, to the token user', async () => {
    const userId = await createUser('kiosk');
    const created = await createToken(userId);
    const first = await enrollWithToken(created.token, newDeviceKeys(), 'Lab Mac 1');
    clock = new Date(clock.getTime() + 60_000);
    const secondKeys = newDeviceKeys();
    const second = await enrollWithToken(created.token, secondKeys, 'Lab Mac 2');
    expect(first.statusCode, first.body).toBe(200);
    expect(second.statusCode, second.body).toBe(200);
    const firstId = EnrollResponseSchema.parse(first.json()).deviceId;
    const secondId = EnrollResponseSchema.parse(second.json()).deviceId;

    const { devices } = await t.adminOk<{ devices: DeviceView[] }>('GET', '/devices');
    expect(devices.map((d) => [d.id, d.userId, d.username, d.enrollment])).toEqual([
      [secondId, userId, 'kiosk', { method: 'automated', enrolledAt: at(60_000), tokenId: created.id }],
      [firstId, userId, 'kiosk', { method: 'automated', enrolledAt: at(), tokenId: created.id }],
    ]);
    const detail = await t.adminOk<DeviceView>('GET', `/devices/${secondId}`);
    expect(detail.enrollment).toEqual({ method: 'automated', enrolledAt: at(60_000), tokenId: created.id });

    const token = await t.adminOk<TokenView & { devices: unknown[] }>('GET', `/enrollment-tokens/${created.id}`);
    expect(token.enrollments).toBe(2);
    expect(token.state).toBe('live');
    expect(token.devices).toEqual([
      { id: firstId, name: 'Lab Mac 1', enrolledAt: at() },
      { id: secondId, name: 'Lab Mac 2', enrolledAt: at(60_000) },
    ]);
    expect((await t.adminOk<{ enrollmentTokens: TokenView[] }>('GET', '/enrollment-tokens')).enrollmentTokens.map((v) => v.enrollments)).toEqual([2]);
    // The enrolled device talks to the device API with its own key.
    expect((await checkIn(secondKeys, secondId)).statusCode).toBe(200);
  });

  it('records a PIN enrollment as pin, without a token', async () => {
    const { deviceId } = await t.enrolledDevice('alice');
    const { devices } = await t.adminOk<{ devices: DeviceView[] }>('GET', '/devices');
    expect(devices.map((d) => [d.id, d.enrollment])).toEqual([[deviceId, { method: 'pin', enrolledAt: at(), tokenId: null }]]);
    expect((await t.adminOk<DeviceView>('GET', `/devices/${deviceId}`)).enrollment).toEqual({ method: 'pin', enrolledAt: at(), tokenId: null });
    const stored = await t.query((db) => db.selectFrom('devices').select(['enrollment_method', 'enrollment_token_id']).executeTakeFirstOrThrow());
    expect(stored).toEqual({ enrollment_method: 'pin', enrollment_token_id: null });
  });

  it('revokes a token at once: it enrolls no more devices, those enrolled stay, a second revocation is a 409', async () => {
    const userId = await createUser('kiosk');
    const created = await createToken(userId);
    const keys = newDeviceKeys();
    const enrolled = EnrollResponseSchema.parse((await enrollWithToken(created.token, keys)).json());
    clock = new Date(clock.getTime() + 1000);

    const revoked = await t.admin('DELETE', `/enrollment-tokens/${created.id}`);
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ id: created.id, state: 'revoked', revokedAt: at(1000), enrollments: 1 });
    const again = await t.admin('DELETE', `/enrollment-tokens/${created.id}`);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({ error: 'conflict', message: `Enrollment token ADE prestage was already revoked at ${at(1000)}.` });
    expect((await t.admin('DELETE', `/enrollment-tokens/${randomUUID()}`)).statusCode).toBe(404);

    const refused = await enrollWithToken(created.token);
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toEqual({ error: 'unauthorized', message: UNUSABLE });
    expect(await deviceCount()).toBe(1);
    const device = await t.adminOk<{ status: string; enrollment: { tokenId: string } }>('GET', `/devices/${enrolled.deviceId}`);
    expect([device.status, device.enrollment.tokenId]).toEqual(['active', created.id]);
    expect((await checkIn(keys, enrolled.deviceId)).statusCode).toBe(200);
    expect((await t.adminOk<{ enrollmentTokens: TokenView[] }>('GET', '/enrollment-tokens')).enrollmentTokens.map((v) => v.state)).toEqual(['revoked']);
  });

  it('refuses an expired token and an unknown one with the same 401, inserting nothing', async () => {
    const userId = await createUser('kiosk');
    const created = await createToken(userId, { ttlSeconds: 3600 });
    clock = new Date(clock.getTime() + 3600 * 1000 - 1);
    expect((await enrollWithToken(created.token)).statusCode).toBe(200);
    clock = new Date(clock.getTime() + 1);
    const expired = await enrollWithToken(created.token);
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toEqual({ error: 'unauthorized', message: UNUSABLE });
    const unknown = await enrollWithToken(`atwe_${randomBytes(32).toString('base64url')}`);
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json()).toEqual(expired.json());
    expect(await deviceCount()).toBe(1);
    expect((await t.adminOk<TokenView>('GET', `/enrollment-tokens/${created.id}`)).state).toBe('expired');
    // An expired token can still be revoked, so the list says plainly it is gone for good.
    expect((await t.adminOk<TokenView>('DELETE', `/enrollment-tokens/${created.id}`)).state).toBe('revoked');
  });

  it('does not enroll with a token of another tenant', async () => {
    const token = `atwe_${randomBytes(32).toString('base64url')}`;
    await t.query(async (db) => {
      const now = clock.toISOString();
      await db.insertInto('tenants').values({ id: 'other-tenant', name: 'Other', root_certificate_pem: 'x', signing_certificate_pem: 'x', created_at: now, root_private_key_sealed: null, crl: null, crl_issued_at: null }).execute();
      await db.insertInto('users').values({ id: 'other-user', tenant_id: 'other-tenant', username: 'kiosk', display_name: null, created_at: now }).execute();
      await db
        .insertInto('enrollment_tokens')
        .values({ id: 'other-token', tenant_id: 'other-tenant', name: 'Theirs', user_id: 'other-user', token_hash: sha256Hex(token), expires_at: new Date(clock.getTime() + DAY_MS).toISOString(), revoked_at: null, created_at: now })
        .execute();
    });
    const response = await enrollWithToken(token);
    expect(response.statusCode).toBe(401);
    expect(response.json<{ message: string }>().message).toBe(UNUSABLE);
    expect(await deviceCount()).toBe(0);
    expect((await t.admin('GET', '/enrollment-tokens/other-token')).statusCode).toBe(404);
    expect((await t.admin('DELETE', '/enrollment-tokens/other-token')).statusCode).toBe(404);
    expect((await t.adminOk<{ enrollmentTokens: unknown[] }>('GET', '/enrollment-tokens')).enrollmentTokens).toEqual([]);
  });

  it.each([
    ['a short token', 'atwe_abc'],
    ['an admin API token', `atw_${randomBytes(32).toString('base64url')}`],
    ['a token with a character outside base64url', `atwe_${'a'.repeat(42)}+`],
    ['a number', 42],
    ['no token', undefined],
  ])('refuses %s with a 400 naming the token', async (_name, token) => {
    const response = await enrollWithToken(token);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'bad_request', message: expect.stringMatching(/^Invalid token: /) });
    expect(await deviceCount()).toBe(0);
  });

  it('audits creation and revocation, without the token', async () => {
    const userId = await createUser('kiosk');
    const created = await createToken(userId);
    clock = new Date(clock.getTime() + 1000);
    await t.adminOk('DELETE', `/enrollment-tokens/${created.id}`);
    const audit = await t.admin('GET', `/audit-log?target=enrollment_token:${created.id}`);
    expect(audit.body).not.toContain(created.token);
    const { entries } = audit.json<{ entries: { action: string; actor: string; before: unknown; after: unknown }[] }>();
    const summary = { id: created.id, name: 'ADE prestage', userId, expiresAt: created.expiresAt };
    expect(entries).toEqual([
      expect.objectContaining({ action: 'enrollment_token.revoke', actor: expect.stringMatching(/^admin-token:/), before: { ...summary, revokedAt: null }, after: { ...summary, revokedAt: at(1000) } }),
      expect.objectContaining({ action: 'enrollment_token.create', actor: expect.stringMatching(/^admin-token:/), before: null, after: { ...summary, revokedAt: null } }),
    ]);
  });

  it('deletes a user only once their tokens no longer enroll, and their tokens with them', async () => {
    const userId = await createUser('kiosk');
    const created = await createToken(userId);
    const refused = await t.admin('DELETE', `/users/${userId}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json<{ message: string }>().message).toBe('User kiosk still has live enrollment tokens; revoke them first.');
    await t.adminOk('DELETE', `/enrollment-tokens/${created.id}`);
    expect((await t.admin('DELETE', `/users/${userId}`)).statusCode).toBe(200);
    expect((await t.adminOk<{ enrollmentTokens: unknown[] }>('GET', '/enrollment-tokens')).enrollmentTokens).toEqual([]);
  });

  it('has enrollment-tokens create and list commands in the admin CLI', async () => {
    const userId = await createUser('kiosk');
    const url = await t.server.listen();
    const cli = async (...args: string[]) => {
      const printed: string[] = [];
      await adminCommand((text) => printed.push(text)).parseAsync(['--server', url, '--token', t.adminToken, '--json', 'enrollment-tokens', ...args], { from: 'user' });
      return JSON.parse(printed.join('\n')) as Record<string, unknown>;
    };
    const created = await cli('create', '--name', 'From the CLI', '--user-id', userId, '--ttl-seconds', '7200');
    expect(created).toMatchObject({ name: 'From the CLI', userId, expiresAt: at(7200 * 1000), state: 'live' });
    expect(created.token).toMatch(ENROLLMENT_TOKEN_PATTERN);
    const listed = await cli('list');
    expect(listed).toEqual({ enrollmentTokens: [expect.objectContaining({ id: created.id, name: 'From the CLI', username: 'kiosk' })] });
    expect(JSON.stringify(listed)).not.toContain(String(created.token));
  });
});

describe.each(BACKENDS)('migration 0014 on %s', (backend) => {
  it('reads devices enrolled before it as enrolled with a PIN', async () => {
    const root = await makeTempDir();
    const database = await createTestDatabase(backend);
    const db = openDatabase({ dataDir: root, databaseUrl: database.databaseUrl });
    try {
      const before = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
      const { error } = await before.migrateTo('0013_catalog_revisions');
      expect(error).toBeUndefined();
      const at = '2026-11-01T00:00:00.000Z';
      await db.insertInto('tenants').values({ id: 'tn', name: 'T', root_certificate_pem: 'x', signing_certificate_pem: 'x', created_at: at, root_private_key_sealed: null, crl: null, crl_issued_at: null }).execute();
      await db.insertInto('users').values({ id: 'u1', tenant_id: 'tn', username: 'alice', display_name: null, created_at: at }).execute();
      // Only the columns a device had before 0014.
      await db
        .insertInto('devices')
        .values({ id: 'd1', tenant_id: 'tn', user_id: 'u1', name: 'Old Mac', status: 'active', public_jwk: '{}', facts: '{}', enrolled_at: at, last_checkin_at: null, agent_version: null, os_version: null })
        .execute();
      await migrateToLatest(db);
      expect(await db.selectFrom('devices').select(['id', 'enrollment_method', 'enrollment_token_id']).execute()).toEqual([{ id: 'd1', enrollment_method: 'pin', enrollment_token_id: null }]);
    } finally {
      await db.destroy();
      await database.drop();
      await removeDir(root);
    }
  });
});
