// Retiring over real HTTP (issue 13): an admin's retire is pending until the agent's check-in confirms it, then the
// agent removes itself and its key is refused; the user's own retire still works; a forced retire needs no agent, and
// that agent, started later, is refused and shows itself retired.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentService } from '../../src/agent/service/agent-service';
import { createNodeAgent } from '../../src/agent/service/node-agent';
import { AdminClient } from '../../src/server/admin-api/admin-api-client';
import { startServer, type AtworkServer } from '../../src/server/app/server-app';
import { signDeviceToken } from '../../src/shared/node/device-token';
import { DEVICE_API_PREFIX } from '../../src/shared/protocol';
import { waitFor } from '../support/wait-for';

interface DeviceView {
  status: string;
  retireRequestedAt: string | null;
  retiredAt: string | null;
}

let dir: string;
let server: AtworkServer;
let serverUrl: string;
let admin: AdminClient;
let uninstallMarker: string;
const agents: AgentService[] = [];
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

function mac(name: string): { agent: AgentService; stateDir: string } {
  const stateDir = path.join(dir, name);
  const agent = createNodeAgent({ stateDir, logger: quiet });
  agents.push(agent);
  return { agent, stateDir };
}

/** Enrolls a new Mac for a new user; returns its agent, its state folder, its device id and its key. */
async function enrolledMac(name: string): Promise<{ agent: AgentService; stateDir: string; deviceId: string; key: KeyObject }> {
  const { id: userId } = await admin.call<{ id: string }>('POST', '/users', { username: name });
  const { pin } = await admin.call<{ pin: string }>('POST', `/users/${userId}/registration-pins`, {});
  const { agent, stateDir } = mac(name);
  const { deviceId } = await agent.enroll({ serverUrl, username: name, pin });
  return { agent, stateDir, deviceId, key: createPrivateKey(await readFile(path.join(stateDir, 'device-key.pem'), 'utf8')) };
}

/** A check-in signed with a device key, as an agent's would be. */
async function checkInWith(key: KeyObject, deviceId: string): Promise<{ status: number; body: { error?: string } }> {
  const response = await fetch(`${serverUrl}${DEVICE_API_PREFIX}/checkin`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await signDeviceToken(key, deviceId)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ agentVersion: '0.5.0', osVersion: '15.3' }),
  });
  return { status: response.status, body: (await response.json()) as { error?: string } };
}

const device = (deviceId: string) => admin.call<DeviceView>('GET', `/devices/${deviceId}`);
const audit = async (deviceId: string) =>
  (await admin.call<{ entries: { action: string; details: Record<string, unknown> }[] }>('GET', `/audit-log?target=device:${deviceId}`)).entries;
/** Every file left in a folder and below it; the agent leaves its folders, emptied. */
const filesIn = async (folder: string): Promise<string[]> =>
  (await readdir(folder, { recursive: true, withFileTypes: true })).filter((entry) => !entry.isDirectory()).map((entry) => path.join(entry.parentPath, entry.name));
const emptied = (stateDir: string) => waitFor(`${stateDir} emptied`, async () => ((await filesIn(stateDir)).length === 0 ? true : undefined));

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'atwork-it-retire-'));
  // Stands in for build/uninstall.sh, which only a Mac can run: it records that the agent started it.
  uninstallMarker = path.join(dir, 'uninstall-started');
  const uninstaller = path.join(dir, 'uninstall.sh');
  await writeFile(uninstaller, `#!/bin/sh\necho started >> '${uninstallMarker}'\n`);
  await chmod(uninstaller, 0o755);
  process.env.ATWORK_UNINSTALL_SCRIPT = uninstaller;
  server = await startServer({ dataDir: path.join(dir, 'server') });
  serverUrl = await server.listen({ host: '127.0.0.1', port: 0 });
  admin = new AdminClient(serverUrl, server.createdAdminToken!);
});

afterAll(async () => {
  for (const agent of agents) await agent.stop();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
  delete process.env.ATWORK_UNINSTALL_SCRIPT;
});

describe('retiring a device', () => {
  it('keeps an admin retire pending until the agent confirms at its check-in, then the agent removes itself and its key is refused', async () => {
    const { agent, stateDir, deviceId, key } = await enrolledMac('alice');
    await agent.checkInNow();
    const pending = await admin.call<DeviceView>('POST', `/devices/${deviceId}/retire`, { reason: 'Left the company' });
    expect(pending).toMatchObject({ status: 'retire_pending', retiredAt: null });
    expect((await device(deviceId)).status).toBe('retire_pending');

    await agent.checkInNow();
    const retired = await waitFor('the retire confirmed', async () => {
      const view = await device(deviceId);
      return view.status === 'retired' ? view : undefined;
    });
    await emptied(stateDir);
    // The time shown is the confirmation's: the one the server answered the agent with.
    expect(retired).toMatchObject({ retireRequestedAt: pending.retireRequestedAt, retiredAt: (await agent.getStatus()).retiredAt });
    expect(existsSync(path.join(stateDir, 'device-key.pem'))).toBe(false);
    expect(await checkInWith(key, deviceId)).toEqual({ status: 401, body: expect.objectContaining({ error: 'device_retired' }) });
    expect((await audit(deviceId)).map((e) => e.action)).toEqual(['device.retire', 'device.retire_request']);
    await waitFor('the uninstall script', async () => (existsSync(uninstallMarker) ? true : undefined));
  });

  it("still retires at the user's request (About > Uninstall), and the agent removes itself", async () => {
    const { agent, stateDir, deviceId, key } = await enrolledMac('bob');
    const { retiredAt } = await agent.retireDevice();
    expect(await device(deviceId)).toMatchObject({ status: 'retired', retiredAt, retireRequestedAt: null });
    await emptied(stateDir);
    expect((await agent.getStatus()).retiredAt).toBe(retiredAt);
    expect((await checkInWith(key, deviceId)).status).toBe(401);

    // The emptied folder takes a new enrollment, as a Mac handed to someone else does.
    const { id: userId } = await admin.call<{ id: string }>('POST', '/users', { username: 'bob-again' });
    const { pin } = await admin.call<{ pin: string }>('POST', `/users/${userId}/registration-pins`, {});
    const again = await agent.enroll({ serverUrl, username: 'bob-again', pin });
    expect(again.deviceId).not.toBe(deviceId);
    expect(await agent.checkInNow()).toMatchObject({ retiredAt: null, lastCheckinError: null });
  });

  it('forces the retire of a Mac whose agent is stopped; that agent, started later, is refused and shows itself retired', async () => {
    const { agent, stateDir, deviceId, key } = await enrolledMac('carol');
    await agent.stop();
    const forced = await admin.call<DeviceView>('POST', `/devices/${deviceId}/retire`, { force: true, reason: 'The Mac was lost' });
    expect(forced).toMatchObject({ status: 'retired', retiredAt: expect.any(String) });
    expect((await audit(deviceId))[0]).toMatchObject({ action: 'device.retire', details: { reason: 'The Mac was lost', forced: true } });
    expect((await checkInWith(key, deviceId)).status).toBe(401);

    const later = mac('carol').agent;
    const refused = await later.checkInNow();
    expect(refused.lastCheckinError).toContain('retired');
    const shown = await waitFor('the agent to show itself retired', async () => {
      const status = await later.getStatus();
      return status.retiredAt === null ? undefined : status;
    });
    expect(shown.nextCheckinAt).toBeNull();
    await emptied(stateDir);
  });
});
