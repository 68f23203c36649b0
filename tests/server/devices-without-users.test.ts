// Devices without a user (issue 12) on both databases: enrolled with a token that names no user, shown, distributed to, refused a review, assigned a user later.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CATALOG_PATH, type AppDetails, type CatalogPage, type ReviewPage } from '../../src/shared/catalog-protocol';
import { CheckinResponseSchema, DEVICE_API_PREFIX, EnrollResponseSchema, type EnrollResponse } from '../../src/shared/protocol';
import { adminCommand } from '../../src/server/admin-api/admin-cli/admin-command';
import { NO_USER_TO_REVIEW } from '../../src/server/catalog/device-catalog-handlers';
import { BACKENDS } from '../support/test-databases';
import { createApp, deviceCall, type Device } from './catalog-fixture';
import { openTicketForTest } from './open-ticket';
import { TestServer, newDeviceKeys } from './server-fixture';

const APPS = CATALOG_PATH.slice(DEVICE_API_PREFIX.length) + '/apps';

interface DeviceView {
  id: string;
  name: string;
  userId: string | null;
  username: string | null;
  enrollment: { method: string; tokenId: string | null };
}

interface TokenView {
  id: string;
  userId: string | null;
  username: string | null;
  state: string;
  enrollments: number;
  token: string;
}

describe.each(BACKENDS)('devices without a user on %s', (backend) => {
  let t: TestServer;
  beforeEach(async () => {
    t = await TestServer.start({ backend });
  });
  afterEach(async () => {
    await t.stop();
  });

  async function createToken(body: Record<string, unknown> = {}): Promise<TokenView> {
    const response = await t.admin('POST', '/enrollment-tokens', { name: 'Lab Macs', ...body });
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  }

  async function enrolled(token: string, name = 'Lab Mac'): Promise<Device & { enrollment: EnrollResponse }> {
    const keys = newDeviceKeys();
    const response = await t.enrollWithToken(token, keys, name);
    expect(response.statusCode, response.body).toBe(200);
    const enrollment = EnrollResponseSchema.parse(response.json());
    return { deviceId: enrollment.deviceId, keys, enrollment };
  }

  async function labMac(name = 'Lab Mac'): Promise<Device & { enrollment: EnrollResponse }> {
    return enrolled((await createToken()).token, name);
  }

  async function userWithDevice(username: string): Promise<Device & { userId: string }> {
    const device = await t.enrolledDevice(username);
    const { users } = await t.adminOk<{ users: { id: string; username: string }[] }>('GET', `/users?q=${username}`);
    return { ...device, userId: users.find((u) => u.username === username)!.id };
  }

  async function checkedInConfigurations(device: Device): Promise<string[]> {
    const response = await deviceCall(t, device, 'POST', '/checkin', { payload: { agentVersion: '0.4.0', osVersion: '15.2' } });
    expect(response.statusCode, response.body).toBe(200);
    return CheckinResponseSchema.parse(response.json()).scripts.map((s) => s.configurationId).sort();
  }

  it('makes a token without a user (left out or null) that enrolls any number of devices, each without a user and recorded on the token', async () => {
    const created = await createToken();
    expect(created).toMatchObject({ userId: null, username: null, state: 'live', enrollments: 0 });
    expect(await createToken({ userId: null })).toMatchObject({ userId: null, username: null });
    const first = await enrolled(created.token, 'Lab Mac 1');
    const second = await enrolled(created.token, 'Lab Mac 2');
    const ids = [first.deviceId, second.deviceId].sort();

    const { devices } = await t.adminOk<{ devices: DeviceView[] }>('GET', '/devices');
    expect(devices.map((d) => [d.id, d.userId, d.username, d.enrollment.method, d.enrollment.tokenId]).sort()).toEqual(ids.map((id) => [id, null, null, 'automated', created.id]));
    for (const id of ids) {
      const detail = await t.admin('GET', `/devices/${id}`);
      expect(detail.statusCode, detail.body).toBe(200);
      expect(detail.json()).toMatchObject({ id, userId: null, username: null, scriptConfigurations: [], appInstalls: [] });
    }
    const token = await t.adminOk<TokenView & { devices: { id: string }[] }>('GET', `/enrollment-tokens/${created.id}`);
    expect([token.userId, token.username, token.enrollments]).toEqual([null, null, 2]);
    expect(token.devices.map((d) => d.id).sort()).toEqual(ids);
    const stored = await t.query((db) => db.selectFrom('devices').select('user_id').execute());
    expect(stored).toEqual([{ user_id: null }, { user_id: null }]);

    // Filters and search: a user filter leaves them out, the rest finds them.
    const alice = await userWithDevice('alice');
    const list = async (query: string) => (await t.adminOk<{ devices: DeviceView[] }>('GET', `/devices?${query}`)).devices.map((d) => d.id).sort();
    expect(await list(`userId=${alice.userId}`)).toEqual([alice.deviceId]);
    expect(await list('q=lab%20mac')).toEqual(ids);
    expect(await list('status=active&agentVersion=0.4.0')).toEqual(ids);
    expect(await checkedInConfigurations(first)).toEqual([]);

    const audit = await t.adminOk<{ entries: { action: string; after: { userId: unknown } }[] }>('GET', `/audit-log?target=enrollment_token:${created.id}`);
    expect(audit.entries).toEqual([expect.objectContaining({ action: 'enrollment_token.create', after: expect.objectContaining({ userId: null }) })]);
  });

  it('gives a device without a user what goes to everyone, to it or to its device groups, never what goes to users or user groups', async () => {
    const alice = await userWithDevice('alice');
    const lab = await labMac();
    const staff = await t.adminOk<{ id: string }>('POST', '/user-groups', { name: 'Staff' });
    await t.adminOk('POST', `/user-groups/${staff.id}/members`, { ids: [alice.userId] });
    const labs = await t.adminOk<{ id: string }>('POST', '/device-groups', { name: 'Labs' });
    await t.adminOk('POST', `/device-groups/${labs.id}/members`, { ids: [lab.deviceId] });
    await t.distributeSystemDefaultAgentConfiguration();

    const targets = {
      everyone: { kind: 'everyone' },
      user: { kind: 'custom', users: [alice.userId] },
      userGroup: { kind: 'custom', userGroups: [staff.id] },
      device: { kind: 'custom', devices: [lab.deviceId] },
      deviceGroup: { kind: 'custom', deviceGroups: [labs.id] },
    };
    const script = await t.adminOk<{ id: string }>('POST', '/scripts', {
      name: 'Report',
      type: 'bash',
      body: 'echo "$OWNER $MAC"\n',
      inputs: [
        { label: 'Owner', variable: 'OWNER', defaultValue: 'nobody' },
        { label: 'Mac', variable: 'MAC', defaultValue: 'none' },
      ],
    });
    const configurations: Record<string, string> = {};
    for (const [name, distribution] of Object.entries(targets)) {
      const inputs = { OWNER: { alternateVariable: 'user.username' }, MAC: { alternateVariable: 'device.name' } };
      configurations[name] = (await t.adminOk<{ id: string }>('POST', '/script-configurations', { name, scriptId: script.id, schedule: { kind: 'once' }, inputs, distribution })).id;
      await createApp(t, { name: `App for ${name}`, bundleId: `com.example.${name.toLowerCase()}`, distribution });
    }
    const reaching = ['everyone', 'device', 'deviceGroup'];
    const idsOf = (names: string[]) => names.map((n) => configurations[n]!).sort();

    expect(await checkedInConfigurations(lab)).toEqual(idsOf(reaching));
    expect(await checkedInConfigurations(alice)).toEqual(idsOf(['everyone', 'user', 'userGroup']));
    const detail = await t.adminOk<{ agentConfiguration: unknown; scriptConfigurations: { id: string; state: string }[] }>('GET', `/devices/${lab.deviceId}`);
    expect(detail.agentConfiguration).not.toBeNull();
    expect(detail.scriptConfigurations.map((c) => c.id).sort()).toEqual(idsOf(reaching));
    const reached = async (name: string) => (await t.adminOk<{ devices: { deviceId: string }[] }>('GET', `/script-configurations/${configurations[name]}/devices`)).devices.map((d) => d.deviceId);
    expect((await reached('everyone')).sort()).toEqual([alice.deviceId, lab.deviceId].sort());
    expect(await reached('user')).toEqual([alice.deviceId]);

    // The user's alternate variables are empty for it; the device's are filled.
    const response = await deviceCall(t, lab, 'POST', '/checkin', { payload: { agentVersion: '0.4.0', osVersion: '15.2' } });
    const [assignment] = CheckinResponseSchema.parse(response.json()).scripts;
    const claims = await openTicketForTest(assignment!.ticket, lab.keys.privateKey, lab.enrollment.tenantRootCertificate);
    expect(claims.variables).toEqual({ OWNER: '', MAC: 'Lab Mac' });

    const catalog = await deviceCall(t, lab, 'GET', APPS);
    expect(catalog.statusCode, catalog.body).toBe(200);
    expect(catalog.json<CatalogPage>().apps.map((a) => a.name)).toEqual(['App for device', 'App for deviceGroup', 'App for everyone']);
    const { apps } = await t.adminOk<{ apps: { id: string; name: string }[] }>('GET', '/apps');
    const forUser = apps.find((a) => a.name === 'App for user')!;
    expect((await deviceCall(t, lab, 'GET', `${APPS}/${forUser.id}`)).statusCode).toBe(404);
  });

  it('refuses a review from a device without a user with one sentence, and still shows the app and its reviews', async () => {
    const alice = await userWithDevice('alice');
    const lab = await labMac();
    const { id: appId } = await createApp(t);
    const review = { rating: 5, title: 'Great', text: 'Does the job.' };
    expect((await deviceCall(t, alice, 'PUT', `${APPS}/${appId}/review`, { payload: review })).statusCode).toBe(200);

    const refused = await deviceCall(t, lab, 'PUT', `${APPS}/${appId}/review`, { payload: review });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toEqual({ error: 'conflict', message: NO_USER_TO_REVIEW });
    expect(NO_USER_TO_REVIEW).toMatch(/^This Mac has no user assigned, so it cannot review apps[^.]*\.$/);

    const reviews = await deviceCall(t, lab, 'GET', `${APPS}/${appId}/reviews`);
    expect(reviews.statusCode).toBe(200);
    expect(reviews.json<ReviewPage>().reviews.map((r) => r.title)).toEqual(['Great']);
    const details = await deviceCall(t, lab, 'GET', `${APPS}/${appId}`);
    expect(details.statusCode).toBe(200);
    expect(details.json<AppDetails>()).toMatchObject({ myReview: null, rating: { count: 1 } });
    expect(await t.query((db) => db.selectFrom('app_reviews').select('user_id').execute())).toEqual([{ user_id: alice.userId }]);
  });

  it('refuses a token for a user of another tenant, an unknown user or a userId of the wrong type with one sentence', async () => {
    await t.query(async (db) => {
      const now = new Date().toISOString();
      await db.insertInto('tenants').values({ id: 'other-tenant', name: 'Other', root_certificate_pem: 'x', signing_certificate_pem: 'x', created_at: now, root_private_key_sealed: null, crl: null, crl_issued_at: null }).execute();
      await db.insertInto('users').values({ id: 'other-user', tenant_id: 'other-tenant', username: 'kiosk', display_name: null, created_at: now }).execute();
    });
    const unknownId = randomUUID();
    for (const userId of ['other-user', unknownId]) {
      const response = await t.admin('POST', '/enrollment-tokens', { name: 'x', userId });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ error: 'not_found', message: `User ${userId} does not exist; name an existing user, or leave userId out to enroll devices without a user.` });
    }
    for (const userId of [42, true, '', { id: unknownId }, 'x'.repeat(65)]) {
      const response = await t.admin('POST', '/enrollment-tokens', { name: 'x', userId });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ error: 'bad_request', message: expect.stringMatching(/^Invalid userId: [^\n]*\.$/) });
    }
    expect((await t.adminOk<{ enrollmentTokens: unknown[] }>('GET', '/enrollment-tokens')).enrollmentTokens).toEqual([]);
  });

  it('assigns a user to a device enrolled without one, audited, after which it gets what goes to the user and can review', async () => {
    const lab = await labMac();
    const { id: userId } = await t.adminOk<{ id: string }>('POST', '/users', { username: 'maria' });
    await t.distributeSystemDefaultAgentConfiguration();
    const script = await t.adminOk<{ id: string }>('POST', '/scripts', { name: 'Hello', type: 'bash', body: 'echo hi\n' });
    const forMaria = await t.adminOk<{ id: string }>('POST', '/script-configurations', { name: 'Maria', scriptId: script.id, schedule: { kind: 'once' }, distribution: { kind: 'custom', users: [userId] } });
    expect(await checkedInConfigurations(lab)).toEqual([]);

    const assigned = await t.admin('PATCH', `/devices/${lab.deviceId}`, { userId });
    expect(assigned.statusCode, assigned.body).toBe(200);
    expect(assigned.json()).toMatchObject({ id: lab.deviceId, name: 'Lab Mac', userId, username: 'maria' });
    expect(await checkedInConfigurations(lab)).toEqual([forMaria.id]);
    const { id: appId } = await createApp(t);
    expect((await deviceCall(t, lab, 'PUT', `${APPS}/${appId}/review`, { payload: { rating: 4, title: 'Fine', text: 'ok' } })).statusCode).toBe(200);

    // A rename keeps the user; null takes it away again.
    expect(await t.adminOk('PATCH', `/devices/${lab.deviceId}`, { name: 'Front desk' })).toMatchObject({ name: 'Front desk', userId, username: 'maria' });
    expect(await t.adminOk('PATCH', `/devices/${lab.deviceId}`, { userId: null })).toMatchObject({ name: 'Front desk', userId: null, username: null });
    const missing = await t.admin('PATCH', `/devices/${lab.deviceId}`, { userId: 'no-such-user' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: 'not_found', message: 'User no-such-user does not exist; name an existing user, or null for none.' });
    expect((await t.admin('PATCH', `/devices/${lab.deviceId}`, { userId: 7 })).statusCode).toBe(400);

    const audit = await t.adminOk<{ entries: { action: string; before: { userId: unknown; name: string }; after: { userId: unknown; name: string } }[] }>('GET', `/audit-log?target=device:${lab.deviceId}`);
    expect(audit.entries.map((e) => [e.action, e.before.name, e.before.userId, e.after.name, e.after.userId])).toEqual([
      ['device.update', 'Front desk', userId, 'Front desk', null],
      ['device.update', 'Lab Mac', userId, 'Front desk', userId],
      ['device.update', 'Lab Mac', null, 'Lab Mac', userId],
    ]);
  });

  it('deletes users as before while devices without a user stay as they are', async () => {
    const lab = await labMac();
    const alice = await userWithDevice('alice');
    const refused = await t.admin('DELETE', `/users/${alice.userId}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json<{ message: string }>().message).toBe('User alice still has devices; delete or reassign them first.');
    const { id: bobId } = await t.adminOk<{ id: string }>('POST', '/users', { username: 'bob' });
    expect((await t.admin('DELETE', `/users/${bobId}`)).statusCode).toBe(200);
    expect(await t.adminOk(`GET`, `/devices/${lab.deviceId}`)).toMatchObject({ userId: null, status: 'active' });
    expect(await checkedInConfigurations(lab)).toEqual([]);
  });

  it('makes a token without a user and assigns a device its user from the admin CLI', async () => {
    const lab = await labMac();
    const { id: userId } = await t.adminOk<{ id: string }>('POST', '/users', { username: 'maria' });
    const url = await t.server.listen();
    const cli = async (...args: string[]) => {
      const printed: string[] = [];
      await adminCommand((text) => printed.push(text)).parseAsync(['--server', url, '--token', t.adminToken, '--json', ...args], { from: 'user' });
      return JSON.parse(printed.join('\n')) as Record<string, unknown>;
    };
    expect(await cli('enrollment-tokens', 'create', '--name', 'Lab')).toMatchObject({ name: 'Lab', userId: null, username: null, state: 'live' });
    expect(await cli('enrollment-tokens', 'create', '--name', 'Lab', '--user-id', 'null')).toMatchObject({ userId: null });
    expect(await cli('enrollment-tokens', 'create', '--name', 'Maria', '--user-id', userId)).toMatchObject({ userId, username: 'maria' });
    expect(await cli('devices', 'update', lab.deviceId, '--user-id', userId)).toMatchObject({ userId, username: 'maria' });
  });
});
