// Two real server processes on one PostgreSQL database serve the same tenant: a concurrent first start, enroll via one, check in via the other.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/server/db/database';
import { ENROLL_SUBJECT, signDeviceToken } from '../../src/shared/node/device-token';
import { CheckinResponseSchema, DEVICE_API_PREFIX, EnrollResponseSchema } from '../../src/shared/protocol';
import { createTestDatabase, type TestDatabase } from '../support/test-databases';
import { openTicketForTest } from './open-ticket';
import { sampleResult } from '../support/sample-result';
import { ADMIN, makeTempDir, newDeviceKeys, removeDir } from './server-fixture';

const BIN = path.resolve(import.meta.dirname, '../../bin/atwork-server.js');

/** Starts `atwork-server serve` and resolves with its URL once it listens. */
function serve(dataDir: string, env: NodeJS.ProcessEnv): { child: ChildProcess; url: Promise<string> } {
  const child = spawn(process.execPath, [BIN, 'serve', '--data-dir', dataDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /^Atwork server {3}(http:\/\/\S+)$/m.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening: ${out}${err}`)));
  });
  return { child, url };
}

describe('two server processes on one PostgreSQL database', () => {
  let root: string;
  let database: TestDatabase;
  let children: ChildProcess[] = [];
  beforeEach(async () => {
    root = await makeTempDir();
    database = await createTestDatabase('postgres');
  });
  afterEach(async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
          }),
      ),
    );
    children = [];
    await database.drop();
    await removeDir(root);
  });

  it('start together on an empty database without a second tenant, and serve one device through either', async () => {
    const env = { ...process.env, DATABASE_URL: database.databaseUrl, ATWORK_MASTER_KEY: randomBytes(32).toString('base64') };
    const dirs = [path.join(root, 'a'), path.join(root, 'b')];
    const started = dirs.map((dir) => serve(dir, env));
    children = started.map((s) => s.child);
    const [a, b] = await Promise.all(started.map((s) => s.url));

    const db = openDatabase({ dataDir: root, databaseUrl: database.databaseUrl });
    try {
      const count = async (table: 'tenants' | 'admin_tokens' | 'agent_configurations') =>
        Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
      expect([await count('tenants'), await count('admin_tokens'), await count('agent_configurations')]).toEqual([1, 1, 1]);
    } finally {
      await db.destroy();
    }
    // Exactly one of the two created the admin token; both accept it.
    const tokens = (await Promise.all(dirs.map((dir) => readFile(path.join(dir, 'admin-token'), 'utf8').catch(() => null)))).filter((t) => t !== null);
    expect(tokens).toHaveLength(1);
    const token = tokens[0]!.trim();
    const admin = async <T>(url: string, method: string, route: string, body?: unknown): Promise<T> => {
      const response = await fetch(`${url}${ADMIN}${route}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      expect(response.status, `${method} ${route}`).toBeLessThan(300);
      return (await response.json()) as T;
    };
    const configurations = await admin<{ agentConfigurations: { id: string; systemDefault: boolean }[] }>(b!, 'GET', '/agent-configurations');
    expect(configurations.agentConfigurations.filter((c) => c.systemDefault)).toHaveLength(1);

    // Administer through A, enroll through A, check in and report through B, read the logs through A.
    const user = await admin<{ id: string }>(a!, 'POST', '/users', { username: 'alice' });
    const { pin } = await admin<{ pin: string }>(a!, 'POST', `/users/${user.id}/registration-pins`, {});
    await admin(a!, 'PUT', `/agent-configurations/${configurations.agentConfigurations[0]!.id}/distribution`, { kind: 'everyone' });
    const script = await admin<{ id: string }>(a!, 'POST', '/scripts', { name: 'Hello', type: 'bash', body: 'echo hi\n' });
    const configuration = await admin<{ id: string }>(b!, 'POST', '/script-configurations', { name: 'Hello', scriptId: script.id, schedule: { kind: 'once' }, distribution: { kind: 'everyone' } });

    const keys = newDeviceKeys();
    const enrolled = await fetch(`${a}${DEVICE_API_PREFIX}/enroll`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await signDeviceToken(keys.privateKey, ENROLL_SUBJECT)}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        method: 'pin',
        username: 'alice',
        pin,
        publicKey: keys.publicJwk,
        device: { name: 'Mac', osName: 'macOS', osVersion: '15.1', model: 'Mac15,3', serialNumber: null, agentVersion: '0.1.0' },
      }),
    });
    expect(enrolled.status).toBe(200);
    const enrollment = EnrollResponseSchema.parse(await enrolled.json());
    const device = async (url: string, route: string, body: unknown) =>
      fetch(`${url}${DEVICE_API_PREFIX}${route}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${await signDeviceToken(keys.privateKey, enrollment.deviceId)}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    const checkin = CheckinResponseSchema.parse(await (await device(b!, '/checkin', { agentVersion: '0.1.0', osVersion: '15.1' })).json());
    const claims = await openTicketForTest(checkin.scripts[0]!.ticket, keys.privateKey, enrollment.tenantRootCertificate);
    expect(claims).toMatchObject({ aud: enrollment.deviceId, iss: enrollment.tenantId, configurationId: configuration.id, seq: 1 });
    const second = CheckinResponseSchema.parse(await (await device(a!, '/checkin', { agentVersion: '0.1.0', osVersion: '15.1' })).json());
    expect((await openTicketForTest(second.scripts[0]!.ticket, keys.privateKey, enrollment.tenantRootCertificate)).seq).toBe(2);

    const result = sampleResult({ configurationId: configuration.id, scriptId: script.id, scriptVersion: 1, scriptName: 'Hello', stdout: 'hi\n', endedAt: new Date().toISOString() });
    const reported = await device(b!, '/results', { results: [result] });
    expect(await reported.json()).toEqual({ accepted: 1 });
    const { logs } = await admin<{ logs: { result: { executionId: string } }[] }>(a!, 'GET', `/devices/${enrollment.deviceId}/logs`);
    expect(logs.map((l) => l.result.executionId)).toEqual([result.executionId]);
  }, 60_000);
});
