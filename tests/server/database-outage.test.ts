// A real server process on its own PostgreSQL cluster, stopped and started under agents that check in and report: it stays up, recovers, loses nothing.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentService } from '../../src/agent/service/agent-service';
import { FileStateStore } from '../../src/agent/state/file-state-store';
import { createNodeAgent } from '../../src/agent/service/node-agent';
import { AdminClient } from '../../src/server/admin-api/admin-api-client';
import { startPostgresCluster, type PostgresCluster } from '../../scripts/throwaway-postgres';
import { recordingLogger } from '../agent/agent-test-kit';
import { sampleResult } from '../support/sample-result';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { makeTempDir, removeDir } from './server-fixture';

const AGENTS = 3;
const RESULTS_PER_ROUND = 4;
/** Rounds before, during and after the outage; each round every agent queues results and checks in. */
const ROUNDS_BEFORE = 2;
const ROUNDS_DURING = 3;
const OUTAGE_MS = 3000;

let cluster: PostgresCluster;
let root: string;
let server: ServerProcess;
let admin: AdminClient;

interface TestAgent {
  agent: AgentService;
  store: FileStateStore;
}

async function get(url: string): Promise<{ status: number; body: Record<string, string>; retryAfter: string | null }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: (await response.json()) as Record<string, string>, retryAfter: response.headers.get('retry-after') };
}

beforeAll(async () => {
  cluster = await startPostgresCluster();
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  await client.query('CREATE DATABASE atwork_outage');
  await client.end();
  root = await makeTempDir();
  const databaseUrl = cluster.url.replace(/\/postgres$/, '/atwork_outage');
  server = await startServerProcess(['--data-dir', path.join(root, 'server'), '--database-url', databaseUrl, '--log-level', 'warn']);
  admin = new AdminClient(server.url, (await readFile(path.join(root, 'server', 'admin-token'), 'utf8')).trim());
}, 120_000);

afterAll(async () => {
  await server?.stop('SIGKILL');
  await cluster?.stop();
  if (root) await removeDir(root);
});

describe('the server when its PostgreSQL restarts', () => {
  it('keeps running, answers 503 with Retry-After while the database is down, recovers within seconds, and stores every result exactly once', async () => {
    await admin.call('POST', '/agent-configurations', { name: 'Fleet', distribution: { kind: 'everyone' } });
    const script = await admin.call<{ id: string }>('POST', '/scripts', { name: 'hello', type: 'bash', body: 'echo hello\n' });
    const configuration = await admin.call<{ id: string }>('POST', '/script-configurations', {
      name: 'Hello once',
      scriptId: script.id,
      schedule: { kind: 'once' },
      distribution: { kind: 'everyone' },
    });
    const agents: TestAgent[] = [];
    for (let i = 0; i < AGENTS; i++) {
      const user = await admin.call<{ id: string }>('POST', '/users', { username: `user${i}` });
      const { pin } = await admin.call<{ pin: string }>('POST', `/users/${user.id}/registration-pins`, {});
      const stateDir = path.join(root, `agent${i}`);
      const logger = recordingLogger();
      const agent = createNodeAgent({ stateDir, logger });
      await agent.enroll({ serverUrl: server.url, username: `user${i}`, pin });
      agents.push({ agent, store: new FileStateStore(stateDir, logger) });
    }
    const queued = new Set<string>();
    const round = async () => {
      await Promise.all(
        agents.map(async ({ agent, store }) => {
          for (let n = 0; n < RESULTS_PER_ROUND; n++) {
            const result = sampleResult({ configurationId: configuration.id, scriptId: script.id, scriptVersion: 1, scriptName: 'hello', stdout: 'hi', endedAt: new Date().toISOString() });
            queued.add(result.executionId);
            await store.putOutbox({ kind: 'result', result });
          }
          await agent.checkInNow();
        }),
      );
    };

    for (let i = 0; i < ROUNDS_BEFORE; i++) await round();
    expect((await get(`${server.url}/readyz`)).status).toBe(200);

    cluster.pause();
    const pausedAt = Date.now();
    for (let i = 0; i < ROUNDS_DURING; i++) await round();
    const health = await get(`${server.url}/healthz`);
    const ready = await get(`${server.url}/readyz`);
    const adminDuring = await fetch(`${server.url}/api/admin/v1/devices`, { headers: { authorization: 'Bearer x' } });
    expect(health.status).toBe(200);
    expect(ready.status).toBe(503);
    expect(ready.body.error).toBe('database_unavailable');
    expect(Number(ready.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(adminDuring.status).toBe(503);
    expect(adminDuring.headers.get('retry-after')).not.toBeNull();
    expect((await adminDuring.json()) as object).toMatchObject({ error: 'database_unavailable' });
    await new Promise((r) => setTimeout(r, Math.max(0, OUTAGE_MS - (Date.now() - pausedAt))));

    cluster.resume();
    const resumedAt = Date.now();
    let recoveredMs = -1;
    while (Date.now() - resumedAt < 15_000) {
      if ((await get(`${server.url}/readyz`)).status === 200) {
        recoveredMs = Date.now() - resumedAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(server.child.exitCode).toBeNull();
    expect(recoveredMs).toBeGreaterThanOrEqual(0);
    expect(recoveredMs).toBeLessThan(5000);

    // Whatever was refused during the outage is still in the outboxes and goes now.
    for (let i = 0; i < 5; i++) {
      await Promise.all(agents.map(({ agent }) => agent.checkInNow()));
      const left = await Promise.all(agents.map(({ store }) => store.listOutbox()));
      if (left.every((entries) => entries.length === 0)) break;
    }
    for (const { store } of agents) expect(await store.listOutbox()).toEqual([]);

    const client = new pg.Client({ connectionString: cluster.url.replace(/\/postgres$/, '/atwork_outage') });
    await client.connect();
    try {
      const rows = (await client.query<{ execution_id: string; n: string }>('SELECT execution_id, count(*) AS n FROM script_results GROUP BY execution_id')).rows;
      const stored = new Map(rows.map((r) => [r.execution_id, Number(r.n)]));
      for (const id of queued) expect(stored.get(id), `result ${id}`).toBe(1);
      expect([...stored.values()].every((n) => n === 1)).toBe(true);
    } finally {
      await client.end();
    }
    await Promise.all(agents.map(({ agent }) => agent.stop()));
    expect(server.output()).toMatch(/database unreachable/);
    console.info(`database outage: server ready again ${recoveredMs} ms after PostgreSQL accepted connections; ${queued.size} results stored once each`);
  }, 120_000);
});
