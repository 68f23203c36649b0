// Automated enrollment over real HTTP: an administrator's enrollment token in the PKG's file enrolls Macs at the
// agent's first start, the file is gone afterwards, a revoked token enrolls nothing, and an unreachable server keeps
// the enrollment for a later start.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PENDING_ENROLLMENT_FILE } from '../../src/agent/enrollment/enrollment-file';
import type { AgentService } from '../../src/agent/service/agent-service';
import { createNodeAgent } from '../../src/agent/service/node-agent';
import { AdminClient } from '../../src/server/admin-api/admin-api-client';
import { startServer, type AtworkServer } from '../../src/server/app/server-app';
import { waitFor } from '../support/wait-for';

let dir: string;
let server: AtworkServer;
let serverUrl: string;
let admin: AdminClient;
let userId: string;
const agents: AgentService[] = [];

/** An agent as the PKG leaves it: a state folder and the enrollment file, started as the daemon would be. */
async function startedMac(name: string, file: { serverUrl: string; token: string }): Promise<{ agent: AgentService; stateDir: string; enrollmentFile: string }> {
  const enrollmentFile = path.join(dir, `${name}-enrollment.json`);
  await writeFile(enrollmentFile, JSON.stringify(file), { mode: 0o600 });
  const stateDir = path.join(dir, name);
  const agent = createNodeAgent({ stateDir, enrollmentFile, logger: { info: () => undefined, warn: () => undefined, error: () => undefined } });
  agents.push(agent);
  agent.start();
  return { agent, stateDir, enrollmentFile };
}

async function newToken(name: string): Promise<{ id: string; token: string }> {
  return admin.call<{ id: string; token: string }>('POST', '/enrollment-tokens', { name, userId });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'atwork-it-ade-'));
  server = await startServer({ dataDir: path.join(dir, 'server') });
  serverUrl = await server.listen({ host: '127.0.0.1', port: 0 });
  admin = new AdminClient(serverUrl, server.createdAdminToken!);
  userId = (await admin.call<{ id: string }>('POST', '/users', { username: 'staging', displayName: 'Staging' })).id;
});

afterAll(async () => {
  for (const agent of agents) await agent.stop();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('automated enrollment', () => {
  it('enrolls two Macs with one token from the PKG file, deletes the file, and records both as automated', async () => {
    const { id, token } = await newToken('Lab Macs');
    const macs = [await startedMac('mac-1', { serverUrl, token }), await startedMac('mac-2', { serverUrl, token })];
    const deviceIds: string[] = [];
    for (const mac of macs) {
      const status = await waitFor('the enrollment', async () => {
        const s = await mac.agent.getStatus();
        return s.enrolled ? s : undefined;
      });
      deviceIds.push(status.deviceId!);
      expect(existsSync(mac.enrollmentFile)).toBe(false);
      expect(existsSync(path.join(mac.stateDir, PENDING_ENROLLMENT_FILE))).toBe(false);
      await waitFor('the first check-in', async () => ((await mac.agent.getStatus()).lastCheckinAt !== null ? true : undefined));
    }
    for (const deviceId of deviceIds) {
      const device = await admin.call<{ enrollment: { method: string; tokenId: string | null } }>('GET', `/devices/${deviceId}`);
      expect(device.enrollment).toMatchObject({ method: 'automated', tokenId: id });
    }
    const listed = await admin.call<{ devices: { id: string }[] }>('GET', `/enrollment-tokens/${id}`);
    expect(listed.devices.map((d) => d.id).sort()).toEqual([...deviceIds].sort());
  });

  it('enrolls nothing with a revoked token, says why, and forgets it', async () => {
    const { id, token } = await newToken('Revoked');
    await admin.call('DELETE', `/enrollment-tokens/${id}`);
    const mac = await startedMac('mac-revoked', { serverUrl, token });
    const status = await waitFor('the refusal', async () => {
      const s = await mac.agent.getStatus();
      return s.lastCheckinError?.startsWith('automated enrollment') === true ? s : undefined;
    });
    expect(status.enrolled).toBe(false);
    expect(status.lastCheckinError).toContain('revoked');
    expect(existsSync(mac.enrollmentFile)).toBe(false);
    await waitFor('the pending enrollment dropped', async () => (existsSync(path.join(mac.stateDir, PENDING_ENROLLMENT_FILE)) ? undefined : true));
  });

  it('keeps the enrollment while the server cannot be reached, and enrolls at a later start', async () => {
    const { token } = await newToken('Later');
    const closedPort = `http://127.0.0.1:9`;
    const mac = await startedMac('mac-later', { serverUrl: closedPort, token });
    await waitFor('the failed try', async () => ((await mac.agent.getStatus()).lastCheckinError?.includes('tried again') === true ? true : undefined));
    await mac.agent.stop();
    expect(existsSync(mac.enrollmentFile)).toBe(false);
    expect(existsSync(path.join(mac.stateDir, PENDING_ENROLLMENT_FILE))).toBe(true);
    expect((await mac.agent.getStatus()).enrolled).toBe(false);
  });
});
