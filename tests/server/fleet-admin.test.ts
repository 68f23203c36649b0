// Fleet administration through the admin API on both databases: groups and custom distribution, edits and versions, inputs, attributes, inventory, audit, tokens, pagination.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CheckinResponseSchema, type CheckinResponse, type EnrollResponse } from '../../src/shared/protocol';
import type { ScriptResult } from '../../src/shared/script-result';
import type { TicketClaims } from '../../src/shared/ticket';
import { BACKENDS } from '../support/test-databases';
import { openTicketForTest } from './open-ticket';
import { sampleResult } from '../support/sample-result';
import { ADMIN, TestServer, type DeviceKeys } from './server-fixture';

interface Enrolled {
  deviceId: string;
  keys: DeviceKeys;
  enrollment: EnrollResponse;
  userId: string;
}

function resultFor(claims: TicketClaims, stdout: string, endedAt: string): ScriptResult {
  return sampleResult({ configurationId: claims.configurationId, scriptId: claims.script.id, scriptVersion: claims.script.version, scriptName: claims.script.name, stdout, endedAt });
}

describe.each(BACKENDS)('fleet administration on %s', (backend) => {
  let t: TestServer;
  beforeEach(async () => {
    t = await TestServer.start({ backend });
  });
  afterEach(async () => {
    await t.stop();
  });

  async function enrolled(username: string): Promise<Enrolled> {
    const device = await t.enrolledDevice(username);
    const user = (await t.adminOk<{ users: { id: string; username: string }[] }>('GET', `/users?q=${username}`)).users.find((u) => u.username === username);
    return { ...device, userId: user!.id };
  }

  async function checkIn(d: Enrolled): Promise<CheckinResponse> {
    const response = await t.device(d.keys, d.deviceId, 'POST', '/checkin', { agentVersion: '0.3.0', osVersion: '15.3' });
    expect(response.statusCode).toBe(200);
    return CheckinResponseSchema.parse(response.json());
  }

  async function tickets(d: Enrolled): Promise<TicketClaims[]> {
    const { scripts } = await checkIn(d);
    return Promise.all(scripts.map((s) => openTicketForTest(s.ticket, d.keys.privateKey, d.enrollment.tenantRootCertificate)));
  }

  async function createScript(body: Record<string, unknown> = {}): Promise<{ id: string }> {
    return t.adminOk('POST', '/scripts', { name: 'Report', type: 'bash', body: 'echo "$GREETING"\n', ...body });
  }

  it('distributes to a user group, a device group, a user and a device, and computes each device effective set', async () => {
    const [alice, bob, carol] = [await enrolled('alice'), await enrolled('bob'), await enrolled('carol')];
    const finance = await t.adminOk<{ id: string }>('POST', '/user-groups', { name: 'Finance' });
    const kiosks = await t.adminOk<{ id: string }>('POST', '/device-groups', { name: 'Kiosks' });
    await t.adminOk('POST', `/user-groups/${finance.id}/members`, { ids: [alice.userId] });
    await t.adminOk('POST', `/device-groups/${kiosks.id}/members`, { ids: [bob.deviceId] });
    const agent = await t.adminOk<{ id: string }>('POST', '/agent-configurations', { name: 'Finance agent', distribution: { kind: 'custom', userGroups: [finance.id] } });
    const script = await createScript();
    const byGroup = await t.adminOk<{ id: string }>('POST', '/script-configurations', {
      name: 'For finance',
      scriptId: script.id,
      schedule: { kind: 'once' },
      distribution: { kind: 'custom', userGroups: [finance.id], deviceGroups: [kiosks.id] },
    });
    const byDevice = await t.adminOk<{ id: string }>('POST', '/script-configurations', {
      name: 'For carol',
      scriptId: script.id,
      schedule: { kind: 'once' },
      distribution: { kind: 'custom', users: [carol.userId] },
    });

    expect((await tickets(alice)).map((c) => c.configurationId)).toEqual([byGroup.id]);
    // Bob is targeted through his device group but no agent configuration reaches him: Error, visible, nothing delivered.
    expect(await tickets(bob)).toEqual([]);
    expect((await t.adminOk<{ scriptConfigurations: unknown[] }>('GET', `/devices/${bob.deviceId}`)).scriptConfigurations).toEqual([
      expect.objectContaining({ id: byGroup.id, state: 'error', reason: expect.stringContaining('No agent configuration') }),
    ]);
    const states = await t.adminOk<{ devices: { deviceId: string; state: string }[] }>('GET', `/script-configurations/${byGroup.id}/devices`);
    expect(states.devices.map((d) => [d.deviceId, d.state]).sort()).toEqual([[alice.deviceId, 'distributed'], [bob.deviceId, 'error']].sort());
    expect((await t.adminOk<{ devices: unknown[] }>('GET', `/script-configurations/${byGroup.id}/devices?state=error`)).devices).toHaveLength(1);

    // Changes reach a device at its next check-in: adding carol to the group gives her the agent configuration.
    await t.adminOk('POST', `/user-groups/${finance.id}/members`, { ids: [carol.userId] });
    expect((await tickets(carol)).map((c) => c.configurationId).sort()).toEqual([byGroup.id, byDevice.id].sort());
    await t.adminOk('DELETE', `/user-groups/${finance.id}/members/${carol.userId}`);
    expect(await tickets(carol)).toEqual([]);

    // A group named by a distribution cannot be deleted; distributions refuse unknown targets.
    const refused = await t.admin('DELETE', `/user-groups/${finance.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json<{ message: string }>().message).toContain('Finance agent');
    const unknown = await t.admin('PUT', `/agent-configurations/${agent.id}/distribution`, { kind: 'custom', devices: ['no-such-device'] });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<{ message: string }>().message).toContain('no-such-device');
    expect((await t.admin('PUT', `/agent-configurations/${agent.id}/distribution`, { kind: 'everyone', users: [alice.userId] })).statusCode).toBe(400);
  });

  it('edits agent configurations as new versions and hands the new settings out at the next check-in', async () => {
    const d = await enrolled('alice');
    const created = await t.adminOk<{ id: string; version: number }>('POST', '/agent-configurations', {
      name: 'Mobile@Work for macOS',
      description: 'Seed',
      maxRunTimeSeconds: 120,
      onboarding: { enabled: true, landingPageUrl: 'https://intranet.example.com/' },
      distribution: { kind: 'everyone' },
    });
    expect(created).toMatchObject({ version: 1, maxRunTimeSeconds: 120, maxResponseSizeKb: 1, checkinFrequencyMinutes: 15, onboarding: { enabled: true, timeoutSeconds: 120, landingPageUrl: 'https://intranet.example.com/' } });
    expect((await checkIn(d)).agentConfig).toMatchObject({ maxRunTimeSeconds: 120, checkinFrequencyMinutes: 15 });

    const edited = await t.adminOk('PATCH', `/agent-configurations/${created.id}`, { checkinFrequencyMinutes: 5, onboarding: { timeoutSeconds: 300 } });
    expect(edited).toMatchObject({ version: 2, checkinFrequencyMinutes: 5, maxRunTimeSeconds: 120, onboarding: { enabled: true, timeoutSeconds: 300 } });
    const next = await checkIn(d);
    expect(next.agentConfig).toMatchObject({ checkinFrequencyMinutes: 5, onboarding: { timeoutSeconds: 300 } });
    expect(next.nextCheckinSeconds).toBe(300);
    expect((await t.admin('PATCH', `/agent-configurations/${created.id}`, { maxResponseSizeKb: 0 })).statusCode).toBe(400);
    expect(edited).toMatchObject({ onboarding: { startWindowMinutes: 20 } });
    const plainHttp = await t.admin('PATCH', `/agent-configurations/${created.id}`, { onboarding: { landingPageUrl: 'http://intranet.example.com/' } });
    expect(plainHttp.statusCode).toBe(400);
    expect(plainHttp.json<{ message: string }>().message).toContain('The landing page URL must be an https:// address.');
    const windowed = await t.adminOk('PATCH', `/agent-configurations/${created.id}`, { onboarding: { startWindowMinutes: 45, landingPageUrl: null } });
    expect(windowed).toMatchObject({ version: 3, onboarding: { enabled: true, timeoutSeconds: 300, startWindowMinutes: 45, landingPageUrl: null } });
    expect((await checkIn(d)).agentConfig).toMatchObject({ onboarding: { startWindowMinutes: 45, landingPageUrl: null } });

    const systemDefault = (await t.adminOk<{ agentConfigurations: { id: string; systemDefault: boolean }[] }>('GET', '/agent-configurations?q=system')).agentConfigurations;
    expect(systemDefault).toEqual([expect.objectContaining({ systemDefault: true })]);
    expect((await t.admin('DELETE', `/agent-configurations/${systemDefault[0]!.id}`)).statusCode).toBe(409);
    expect((await t.adminOk('DELETE', `/agent-configurations/${created.id}`))).toEqual({ deleted: created.id });
    expect((await checkIn(d)).agentConfig).toBeNull();
  });

  it('keeps every script edit as an immutable version, pins configurations to theirs, and refuses to delete a script in use', async () => {
    const d = await enrolled('alice');
    await t.distributeSystemDefaultAgentConfiguration();
    const script = await createScript({ body: 'echo one\n' });
    const configuration = await t.adminOk<{ id: string }>('POST', '/script-configurations', { name: 'Pinned', scriptId: script.id, schedule: { kind: 'once' }, distribution: { kind: 'everyone' } });

    const edited = await t.adminOk('PATCH', `/scripts/${script.id}`, { body: 'echo two\n', type: 'zsh', runAsRoot: true });
    expect(edited).toMatchObject({ version: 2, type: 'zsh', runAsRoot: true });
    expect(await t.adminOk('GET', `/scripts/${script.id}?version=1`)).toMatchObject({ version: 1, latestVersion: 2, type: 'bash', runAsRoot: false, body: 'echo one\n' });
    expect(await t.adminOk('GET', `/scripts/${script.id}`)).toMatchObject({ version: 2, type: 'zsh', runAsRoot: true, body: 'echo two\n' });
    const { versions } = await t.adminOk<{ versions: { version: number; blobSha256: string }[] }>('GET', `/scripts/${script.id}/versions`);
    expect(versions.map((v) => v.version)).toEqual([2, 1]);
    expect(versions[0]!.blobSha256).not.toBe(versions[1]!.blobSha256);

    // The configuration still delivers version 1, as bash without root, until it is moved to version 2.
    const [pinned] = await tickets(d);
    expect(pinned!.script).toMatchObject({ version: 1, interpreter: 'bash', runAsRoot: false });
    await t.adminOk('PATCH', `/script-configurations/${configuration.id}`, { scriptVersion: 2 });
    const [moved] = await tickets(d);
    expect(moved!.script).toMatchObject({ version: 2, interpreter: 'zsh', runAsRoot: true });
    expect(moved!.configurationVersion).toBe(2);

    const refused = await t.admin('DELETE', `/scripts/${script.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json<{ message: string }>().message).toContain(`Pinned (${configuration.id})`);
    await t.adminOk('DELETE', `/script-configurations/${configuration.id}`);
    expect(await t.adminOk('DELETE', `/scripts/${script.id}`)).toEqual({ deleted: script.id });
    expect(await t.query((db) => db.selectFrom('blobs').select('id').execute())).toEqual([]);
  });

  it('uploads a script as plain text, reading its type from the #! line', async () => {
    const upload = (query: string, body: string) =>
      t.server.app.inject({ method: 'POST', url: `${ADMIN}/scripts/upload?${query}`, headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'text/plain' }, payload: body });
    const py = await upload('name=Disk', '#!/usr/bin/env python3\nprint("ok")\n');
    expect(py.statusCode).toBe(201);
    expect(py.json()).toMatchObject({ name: 'Disk', type: 'python', runAsRoot: false, version: 1 });
    expect((await upload('name=Root&runAsRoot=true&type=swift', 'print("x")')).json()).toMatchObject({ type: 'swift', runAsRoot: true });
    const unknown = await upload('name=Odd', 'echo no shebang');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<{ message: string }>().message).toContain('type');
    expect((await upload('', '#!/bin/bash\n')).statusCode).toBe(400);
    expect((await t.adminOk<{ scripts: unknown[] }>('GET', '/scripts?type=python')).scripts).toHaveLength(1);
  });

  it("resolves a script's inputs: defaults, overriding values and alternate variables filled per device", async () => {
    const d = await enrolled('alice');
    await t.distributeSystemDefaultAgentConfiguration();
    const script = await createScript({
      inputs: [
        { label: 'Greeting', variable: 'GREETING', defaultValue: 'hello' },
        { label: 'Owner', variable: 'OWNER', defaultValue: 'nobody' },
        { label: 'Mode', variable: 'MODE', defaultValue: 'fast' },
      ],
    });
    expect((await t.admin('POST', '/scripts', { name: 'Dup', type: 'bash', body: 'x', inputs: [{ label: 'A', variable: 'A' }, { label: 'B', variable: 'A' }] })).statusCode).toBe(400);
    const base = { name: 'Inputs', scriptId: script.id, schedule: { kind: 'once' }, distribution: { kind: 'everyone' } };
    expect((await t.admin('POST', '/script-configurations', { ...base, inputs: { NOPE: { value: 'x' } } })).statusCode).toBe(400);
    expect((await t.admin('POST', '/script-configurations', { ...base, inputs: { MODE: { value: 'x', alternateVariable: 'user.username' } } })).statusCode).toBe(400);
    expect((await t.admin('POST', '/script-configurations', { ...base, inputs: { MODE: { alternateVariable: 'device.secret' } } })).statusCode).toBe(400);
    await t.adminOk('POST', '/script-configurations', {
      ...base,
      inputs: { GREETING: { value: "'; rm -rf ~; '" }, OWNER: { alternateVariable: 'user.username' } },
      variables: { EXTRA: '1' },
    });
    const [claims] = await tickets(d);
    expect(claims!.variables).toEqual({ GREETING: "'; rm -rf ~; '", OWNER: 'alice', MODE: 'fast', EXTRA: '1' });
  });

  it('sets a custom attribute from the latest trimmed output of a linked script, and records each result in the audit trail once', async () => {
    const d = await enrolled('alice');
    await t.distributeSystemDefaultAgentConfiguration();
    const script = await createScript({ attribute: 'Battery health' });
    await t.adminOk('POST', '/script-configurations', { name: 'Battery', scriptId: script.id, schedule: { kind: 'once' }, distribution: { kind: 'everyone' } });
    const [claims] = await tickets(d);
    const newer = resultFor(claims!, '  Normal\n', '2026-11-20T10:00:00Z');
    const older = resultFor(claims!, 'Service\n', '2026-11-19T10:00:00Z');
    const post = (results: ScriptResult[]) => t.device(d.keys, d.deviceId, 'POST', '/results', { results });
    expect((await post([newer])).json()).toEqual({ accepted: 1 });
    // Late delivery of an older run (from the outbox) and a redelivery change nothing.
    expect((await post([older, newer])).json()).toEqual({ accepted: 2 });
    expect((await t.adminOk<{ attributes: Record<string, string> }>('GET', `/devices/${d.deviceId}`)).attributes).toEqual({ 'Battery health': 'Normal' });

    const audit = await t.adminOk<{ entries: { actor: string; target: string; details: { executionId: string } }[] }>('GET', '/audit-log?action=script_result.store');
    expect(audit.entries.map((e) => e.details.executionId).sort()).toEqual([newer.executionId, older.executionId].sort());
    expect(new Set(audit.entries.map((e) => e.actor))).toEqual(new Set([`device:${d.deviceId}`]));
    expect((await t.admin('PATCH', `/scripts/${script.id}`, { attribute: '1bad' })).statusCode).toBe(400);
  });

  it('stores installed apps from the device inventory and shows them on the device', async () => {
    const d = await enrolled('alice');
    const apps = Array.from({ length: 1200 }, (_, i) => ({ bundleId: `com.example.app${i}`, name: `App ${String(i).padStart(4, '0')}`, version: '1.0' }));
    const inventory = await t.device(d.keys, d.deviceId, 'POST', '/inventory', { apps });
    expect(inventory.statusCode).toBe(200);
    expect(inventory.json()).toEqual({ apps: 1200, receipts: 0 });
    expect((await t.adminOk<{ installedApps: { count: number } }>('GET', `/devices/${d.deviceId}`)).installedApps.count).toBe(1200);
    const page = await t.adminOk<{ apps: { bundleId: string }[]; page: { total: number } }>('GET', `/devices/${d.deviceId}/apps?limit=10&offset=10`);
    expect(page.apps.map((a) => a.bundleId)[0]).toBe('com.example.app10');
    expect(page.page.total).toBe(1200);
    expect((await t.adminOk<{ apps: unknown[] }>('GET', `/devices/${d.deviceId}/apps?q=APP 0999`)).apps).toHaveLength(1);
    // A new inventory replaces the old one.
    await t.device(d.keys, d.deviceId, 'POST', '/inventory', { apps: [{ bundleId: 'com.apple.Safari', name: 'Safari', version: null }] });
    expect((await t.adminOk<{ apps: unknown[] }>('GET', `/devices/${d.deviceId}/apps`)).apps).toEqual([expect.objectContaining({ bundleId: 'com.apple.Safari', name: 'Safari' })]);
    for (const bad of [{ bundleId: '', name: 'x', version: null }, { bundleId: 'a\u0000b', name: 'x', version: null }, { bundleId: 'a', name: 'x' }]) {
      expect((await t.device(d.keys, d.deviceId, 'POST', '/inventory', { apps: [bad] })).statusCode).toBe(400);
    }
    expect((await t.server.app.inject({ method: 'POST', url: '/api/device/v1/inventory', payload: { apps: [] } })).statusCode).toBe(401);
  });

  it('pages and filters lists, and finds devices by status, user, group and check-in', async () => {
    for (let i = 0; i < 7; i += 1) await t.adminOk('POST', '/users', { username: `user${i}`, displayName: i % 2 === 0 ? 'Even Person' : 'Odd_Person' });
    const first = await t.adminOk<{ users: { username: string }[]; page: unknown }>('GET', '/users?limit=3');
    expect(first.users.map((u) => u.username)).toEqual(['user0', 'user1', 'user2']);
    expect(first.page).toEqual({ limit: 3, offset: 0, total: 7 });
    expect((await t.adminOk<{ users: { username: string }[] }>('GET', '/users?limit=3&offset=6')).users.map((u) => u.username)).toEqual(['user6']);
    // Case-insensitive, and LIKE wildcards in the term are literal.
    expect((await t.adminOk<{ page: { total: number } }>('GET', '/users?q=EVEN')).page.total).toBe(4);
    expect((await t.adminOk<{ page: { total: number } }>('GET', '/users?q=odd_')).page.total).toBe(3);
    expect((await t.adminOk<{ page: { total: number } }>('GET', '/users?q=d_p')).page.total).toBe(3);
    expect((await t.admin('GET', '/users?limit=0')).statusCode).toBe(400);
    expect((await t.admin('GET', '/users?limit=abc')).statusCode).toBe(400);

    const a = await enrolled('alice');
    const b = await enrolled('bob');
    await checkIn(a);
    const group = await t.adminOk<{ id: string }>('POST', '/device-groups', { name: 'Lab' });
    await t.adminOk('POST', `/device-groups/${group.id}/members`, { ids: [b.deviceId] });
    const ids = async (query: string) => (await t.adminOk<{ devices: { id: string }[] }>('GET', `/devices?${query}`)).devices.map((d) => d.id);
    expect(await ids(`userId=${a.userId}`)).toEqual([a.deviceId]);
    expect(await ids(`groupId=${group.id}`)).toEqual([b.deviceId]);
    expect(await ids('agentVersion=0.3.0')).toEqual([a.deviceId]);
    expect(await ids(`checkedInBefore=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toHaveLength(2);
    expect(await ids(`checkedInBefore=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`)).toEqual([b.deviceId]);
    expect(await ids('status=retired')).toEqual([]);
    const [listed] = (await t.adminOk<{ devices: Record<string, unknown>[] }>('GET', `/devices?userId=${a.userId}`)).devices;
    expect(listed).toMatchObject({ status: 'active', agentVersion: '0.3.0', osVersion: '15.3', lastCheckinAt: expect.any(String) });
    expect((await t.admin('DELETE', `/devices/${a.deviceId}`)).statusCode).toBe(409);
  });

  it('updates and deletes users and groups with before/after in a queryable audit trail', async () => {
    const user = await t.adminOk<{ id: string }>('POST', '/users', { username: 'dave' });
    await t.adminOk('POST', '/users', { username: 'erin' });
    expect((await t.admin('PATCH', `/users/${user.id}`, { username: 'erin' })).statusCode).toBe(409);
    expect(await t.adminOk('PATCH', `/users/${user.id}`, { displayName: 'Dave D' })).toMatchObject({ username: 'dave', displayName: 'Dave D' });
    const pin = await t.adminOk<{ id: string }>('POST', `/users/${user.id}/registration-pins`, {});
    expect((await t.adminOk<{ registrationPins: { id: string; state: string }[] }>('GET', `/users/${user.id}/registration-pins`)).registrationPins).toEqual([
      expect.objectContaining({ id: pin.id, state: 'live' }),
    ]);
    await t.adminOk('DELETE', `/users/${user.id}/registration-pins/${pin.id}`);
    expect((await t.adminOk<{ registrationPins: { state: string }[] }>('GET', `/users/${user.id}/registration-pins`)).registrationPins[0]!.state).toBe('expired');
    const group = await t.adminOk<{ id: string }>('POST', '/user-groups', { name: 'Sales' });
    await t.adminOk('POST', `/user-groups/${group.id}/members`, { ids: [user.id, user.id] });
    expect(await t.adminOk('GET', `/user-groups/${group.id}`)).toMatchObject({ members: [{ id: user.id, name: 'dave' }] });
    expect(await t.adminOk('GET', `/users/${user.id}`)).toMatchObject({ groups: [{ id: group.id, name: 'Sales' }], devices: [] });
    expect((await t.admin('POST', `/user-groups/${group.id}/members`, { ids: ['ghost'] })).statusCode).toBe(400);
    await t.adminOk('PATCH', `/user-groups/${group.id}`, { name: 'Sales EMEA' });
    await t.adminOk('DELETE', `/users/${user.id}`);
    expect((await t.adminOk<{ members: unknown[] }>('GET', `/user-groups/${group.id}`)).members).toEqual([]);
    await t.adminOk('DELETE', `/user-groups/${group.id}`);

    const trail = await t.adminOk<{ entries: { action: string; before: unknown; after: unknown }[] }>('GET', `/audit-log?target=user:${user.id}`);
    expect(trail.entries.map((e) => e.action)).toEqual(expect.arrayContaining(['user.create', 'user.update', 'registration_pin.create', 'registration_pin.revoke', 'user.delete']));
    expect(trail.entries.find((e) => e.action === 'user.update')).toMatchObject({ before: { displayName: null }, after: { displayName: 'Dave D' } });
    const groupTrail = await t.adminOk<{ entries: { action: string }[] }>('GET', '/audit-log?actionPrefix=user_group.');
    expect(groupTrail.entries.map((e) => e.action).sort()).toEqual(['user_group.add_members', 'user_group.create', 'user_group.delete', 'user_group.update']);
    const since = await t.adminOk<{ page: { total: number } }>('GET', `/audit-log?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`);
    expect(since.page.total).toBe(0);
  });

  it('creates scoped API tokens stored as hashes: read-only reads but cannot change, a revoked token stops at once', async () => {
    const readOnly = await t.adminOk<{ id: string; token: string; scope: string }>('POST', '/api-tokens', { name: 'dashboard', scope: 'read-only' });
    expect(readOnly.token).toMatch(/^atw_/);
    const as = (token: string, method: 'GET' | 'POST', url: string, payload?: object) =>
      t.server.app.inject({ method, url: `${ADMIN}${url}`, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
    expect((await as(readOnly.token, 'GET', '/users')).statusCode).toBe(200);
    const forbidden = await as(readOnly.token, 'POST', '/users', { username: 'mallory' });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toMatchObject({ error: 'forbidden' });
    const stored = await t.query((db) => db.selectFrom('admin_tokens').select(['token_sha256']).execute());
    expect(JSON.stringify(stored)).not.toContain(readOnly.token);

    const { apiTokens } = await t.adminOk<{ apiTokens: { id: string; scope: string; revokedAt: string | null }[] }>('GET', '/api-tokens');
    expect(apiTokens.map((k) => k.scope).sort()).toEqual(['admin', 'read-only']);
    expect(JSON.stringify(apiTokens)).not.toContain(readOnly.token);
    await t.adminOk('DELETE', `/api-tokens/${readOnly.id}`);
    expect((await as(readOnly.token, 'GET', '/users')).statusCode).toBe(401);
    // The only admin token cannot be revoked: nobody could administer the server after.
    const initial = apiTokens.find((k) => k.scope === 'admin')!;
    expect((await t.admin('DELETE', `/api-tokens/${initial.id}`)).statusCode).toBe(409);
    const second = await t.adminOk<{ id: string; token: string }>('POST', '/api-tokens', { name: 'ops', scope: 'admin' });
    expect((await as(second.token, 'GET', '/api-tokens')).statusCode).toBe(200);
    await t.adminOk('DELETE', `/api-tokens/${initial.id}`);
    expect((await t.admin('GET', '/users')).statusCode).toBe(401);
    expect((await t.admin('POST', '/api-tokens', { name: 'x', scope: 'root' })).statusCode).toBe(401);
    expect((await as(second.token, 'POST', '/api-tokens', { name: 'x', scope: 'root' })).statusCode).toBe(400);
  });
});
