// The seed's admin procedures end to end, through the admin API and through `atwork-server admin`, on SQLite and PostgreSQL, with a real agent.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNodeAgent } from '../../src/agent/service/node-agent';
import type { AgentService } from '../../src/agent/service/agent-service';
import { AdminClient, type AdminMethod } from '../../src/server/admin-api/admin-api-client';
import { ADMIN_API_ROUTES } from '../../src/server/admin-api/admin-api-catalog';
import { adminCommand } from '../../src/server/admin-api/admin-cli/admin-command';
import { startServer, type AtworkServer } from '../../src/server/app/server-app';
import type { ScriptResult } from '../../src/shared/script-result';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/test-databases';
import { makeTempDir, removeDir } from './server-fixture';
import { waitFor } from '../support/wait-for';

const BIN = path.resolve(import.meta.dirname, '../../bin/atwork-server.js');
const run = promisify(execFile);

/** Calls one admin operation with path parameters and named inputs (query and body fields alike). */
type Admin = (operation: string, params: string[], input?: Record<string, unknown>) => Promise<Record<string, unknown>>;

function specOf(operation: string) {
  const spec = ADMIN_API_ROUTES.find((r) => r.operation === operation);
  if (!spec) throw new Error(`no admin operation ${operation}`);
  return spec;
}

/** Through the HTTP API, with the client the CLI uses too. */
function apiAdmin(client: AdminClient): Admin {
  return async (operation, params, input = {}) => {
    const spec = specOf(operation);
    let url = spec.path;
    for (const value of params) url = url.replace(/:[A-Za-z]+/, encodeURIComponent(value));
    return client.call(spec.method as AdminMethod, url, spec.body === undefined ? undefined : input);
  };
}

/** The argv of `atwork-server admin <resource> <verb> ... --json`, each input a flag. */
function cliArgs(serverUrl: string, token: string, operation: string, params: string[], input: Record<string, unknown>): string[] {
  const [resource, verb] = operation.split('.') as [string, string];
  const flags = Object.entries(input).flatMap(([key, value]) => [`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, typeof value === 'string' ? value : JSON.stringify(value)]);
  return ['--server', serverUrl, '--token', token, '--json', resource, verb, ...params, ...flags];
}

/**
 * Through the `admin` command tree, parsed in this process: the same commands, option parsing and client as the binary,
 * without a 2-second process start per step. The binary itself is run once in `atwork-server admin as a process` below.
 */
function cliAdmin(serverUrl: string, token: string): Admin {
  return async (operation, params, input = {}) => {
    const printed: string[] = [];
    await adminCommand((text) => printed.push(text)).parseAsync(cliArgs(serverUrl, token, operation, params, input), { from: 'user' });
    return JSON.parse(printed.join('\n')) as Record<string, unknown>;
  };
}

const RECURRING = { kind: 'recurring', timezone: 'utc', start: '2026-12-01', end: '2026-12-31', frequency: 'weekly', days: ['mon', 'thu'], times: ['09:30'] };

describe.each(BACKENDS)('seed admin procedures on %s', (backend) => {
  let root: string;
  let database: TestDatabase;
  let server: AtworkServer;
  let serverUrl: string;
  let token: string;
  let agent: AgentService | undefined;
  beforeEach(async () => {
    root = await makeTempDir();
    database = await createTestDatabase(backend);
    server = await startServer({ dataDir: path.join(root, 'server'), databaseUrl: database.databaseUrl });
    serverUrl = await server.listen();
    token = server.createdAdminToken!;
  });
  afterEach(async () => {
    await agent?.stop();
    agent = undefined;
    await server.close();
    await database.drop();
    await removeDir(root);
  });

  it.each(['api', 'cli'] as const)('through the %s: agent configuration, script configuration with overrides and a recurring schedule, distribution to a user group, the result in the device logs', async (via) => {
    const admin = via === 'api' ? apiAdmin(new AdminClient(serverUrl, token)) : cliAdmin(serverUrl, token);
    const scriptFile = path.join(root, 'greet.sh');
    await writeFile(scriptFile, '#!/bin/bash\necho "$GREETING from $OWNER ($MODE)"\n');

    const user = await admin('users.create', [], { username: 'alice', displayName: 'Alice' });
    const { pin } = (await admin('users.create-pin', [String(user.id)])) as { pin: string };
    const group = await admin('user-groups.create', [], { name: 'Finance' });
    await admin('user-groups.add-members', [String(group.id)], { ids: [user.id] });
    const toFinance = { kind: 'custom', userGroups: [group.id] };

    const agentConfiguration = await admin('agent-configurations.create', [], { name: 'Mobile@Work for macOS', maxRunTimeSeconds: 30, checkinFrequencyMinutes: 5 });
    await admin('agent-configurations.distribute', [String(agentConfiguration.id)], toFinance);

    const inputs = [
      { label: 'Greeting', variable: 'GREETING', defaultValue: 'hello' },
      { label: 'Owner', variable: 'OWNER', defaultValue: 'nobody' },
      { label: 'Mode', variable: 'MODE', defaultValue: 'default' },
    ];
    const script =
      via === 'cli'
        ? await admin('scripts.create', [], { name: 'Greet', type: 'bash', file: `body=${scriptFile}`, inputs })
        : await admin('scripts.create', [], { name: 'Greet', type: 'bash', body: '#!/bin/bash\necho "$GREETING from $OWNER ($MODE)"\n', inputs });
    const overrides = { GREETING: { value: 'good morning' }, OWNER: { alternateVariable: 'user.username' } };
    const recurring = await admin('script-configurations.create', [], { name: 'Greet weekly', scriptId: script.id, schedule: RECURRING, inputs: overrides });
    const once = await admin('script-configurations.create', [], { name: 'Greet now', scriptId: script.id, schedule: { kind: 'once' }, inputs: overrides });
    for (const configuration of [recurring, once]) await admin('script-configurations.distribute', [String(configuration.id)], toFinance);
    expect(await admin('script-configurations.get', [String(recurring.id)])).toMatchObject({ schedule: RECURRING, inputs: overrides, distribution: { kind: 'custom', userGroups: [group.id] } });

    agent = createNodeAgent({ stateDir: path.join(root, 'agent') });
    const { deviceId } = await agent.enroll({ serverUrl, username: 'alice', pin });
    await agent.checkInNow();

    const result = await waitFor('the result in the device logs', async () => {
      const { logs } = (await admin('devices.logs', [deviceId], { kind: 'script_result' })) as { logs: { result: ScriptResult }[] };
      return logs.find((l) => l.result.configurationId === once.id)?.result;
    });
    expect(result).toMatchObject({ status: 'completed', exitCode: 0, stdout: 'good morning from alice (default)\n' });

    // The recurring configuration reached the device with the once one: both distributed, none in error.
    const device = (await admin('devices.get', [deviceId])) as { lastCheckinAt: string | null; agentConfiguration: { id: string }; scriptConfigurations: { id: string; state: string }[] };
    expect(device.lastCheckinAt).not.toBeNull();
    expect(device.agentConfiguration.id).toBe(agentConfiguration.id);
    expect(device.scriptConfigurations.map((c) => [c.id, c.state]).sort()).toEqual([[recurring.id, 'distributed'], [once.id, 'distributed']].sort());
    const audit = (await admin('audit.list', [], { action: 'script_result.store' })) as { entries: { details: { executionId: string } }[] };
    expect(audit.entries.map((e) => e.details.executionId)).toContain(result.executionId);
  }, 90_000);
});

describe('atwork-server admin as a process', () => {
  let root: string;
  let server: AtworkServer;
  afterEach(async () => {
    await server.close();
    await removeDir(root);
  });

  it('reads the token from the data folder, prints a table for a person and JSON with --json, and fails with the server message and exit 1', async () => {
    root = await makeTempDir();
    const dataDir = path.join(root, 'server');
    server = await startServer({ dataDir });
    const serverUrl = await server.listen();
    await new AdminClient(serverUrl, server.createdAdminToken!).call('POST', '/users', { username: 'alice', displayName: 'Alice Liddell' });
    const admin = (...args: string[]) => run(process.execPath, [BIN, 'admin', '--server', serverUrl, '--data-dir', dataDir, ...args], { timeout: 30_000 });

    const table = await admin('users', 'list');
    expect(table.stdout).toMatch(/^id\s+username\s+displayName\s+createdAt\n\S+\s+alice\s+Alice Liddell\s+\S+\n1-1 of 1\n$/);
    const json = JSON.parse((await admin('--json', 'users', 'list', '--q', 'ALI')).stdout) as { users: { username: string }[] };
    expect(json.users.map((u) => u.username)).toEqual(['alice']);
    const failed = await admin('users', 'get', 'nobody').then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed).toMatchObject({ code: 1, stderr: expect.stringContaining('404: User nobody does not exist.') });
  }, 60_000);
});
