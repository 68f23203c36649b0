// The whole flow over real HTTP on loopback: admin sets up, the agent enrolls, opens its ticket, runs the script, and the logs show it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeAgent } from '../../src/agent/service/node-agent';
import type { AgentService } from '../../src/agent/service/agent-service';
import { startServer, type AtworkServer } from '../../src/server/app/server-app';
import type { ScriptResult } from '../../src/shared/script-result';
import { AdminClient } from '../../src/server/admin-api/admin-api-client';
import { waitFor } from '../support/wait-for';

interface LogEntry {
  kind: string;
  result?: ScriptResult;
}

let dir: string;
let server: AtworkServer;
let serverUrl: string;
let admin: AdminClient;
let agent: AgentService;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'atwork-it-'));
  server = await startServer({ dataDir: path.join(dir, 'server') });
  serverUrl = await server.listen({ host: '127.0.0.1', port: 0 });
  if (!server.createdAdminToken) throw new Error('a fresh server must create an admin token');
  admin = new AdminClient(serverUrl, server.createdAdminToken);
});

afterAll(async () => {
  await agent?.stop();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('walking skeleton', () => {
  it('delivers a signed script to an enrolled agent and shows its result in the device logs', async () => {
    const user = await admin.call<{ id: string }>('POST', '/users', { username: 'alice', displayName: 'Alice' });
    const { pin } = await admin.call<{ pin: string }>('POST', `/users/${user.id}/registration-pins`, {});
    await admin.call('POST', '/agent-configurations', { name: 'Fleet default', maxRunTimeSeconds: 30, distribution: { kind: 'everyone' } });
    const script = await admin.call<{ id: string }>('POST', '/scripts', {
      name: 'greet',
      type: 'bash',
      body: '#!/bin/bash\necho "hello from $ATWORK_EXECUTION_ID"\necho "to stderr" >&2\nexit 0\n',
    });
    const configuration = await admin.call<{ id: string }>('POST', '/script-configurations', {
      name: 'Greet once',
      scriptId: script.id,
      schedule: { kind: 'once' },
      distribution: { kind: 'everyone' },
    });

    agent = createNodeAgent({ stateDir: path.join(dir, 'agent') });
    const { deviceId } = await agent.enroll({ serverUrl, username: 'alice', pin });
    const { devices } = await admin.call<{ devices: { id: string; status: string }[] }>('GET', '/devices');
    expect(devices).toContainEqual(expect.objectContaining({ id: deviceId, status: 'active' }));

    await agent.checkInNow();
    const result = await waitFor('the script result in the device logs', async () => {
      const { logs } = await admin.call<{ logs: LogEntry[] }>('GET', `/devices/${deviceId}/logs`);
      return logs.find((l) => l.kind === 'script_result')?.result;
    });

    expect(result).toMatchObject({
      configurationId: configuration.id,
      scriptId: script.id,
      status: 'completed',
      exitCode: 0,
      signal: null,
      timedOut: false,
      stdout: `hello from ${result.executionId}\n`,
      stderr: 'to stderr\n',
      error: null,
    });
    const status = await agent.getStatus();
    expect(status.recentRuns[0]).toMatchObject({ executionId: result.executionId, exitCode: 0 });
    expect(status.lastCheckinError).toBeNull();
  });

  it('runs an "execute once" script only once across check-ins', async () => {
    await agent.checkInNow();
    await agent.checkInNow();
    const { deviceId } = await agent.getStatus();
    const { logs } = await admin.call<{ logs: LogEntry[] }>('GET', `/devices/${deviceId}/logs`);
    expect(logs.filter((l) => l.kind === 'script_result')).toHaveLength(1);
  });
});
