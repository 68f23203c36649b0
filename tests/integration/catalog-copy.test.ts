// The agent's copy of the catalog against the real server over HTTP: every answer from the copy is the answer the
// server gives to the same query, and a check-in after an admin's change makes the agent ask the server again.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentService } from '../../src/agent/service/agent-service';
import { createNodeAgent } from '../../src/agent/service/node-agent';
import { AdminClient } from '../../src/server/admin-api/admin-api-client';
import { startServer, type AtworkServer } from '../../src/server/app/server-app';
import type { CatalogPage, CatalogQuery } from '../../src/shared/catalog-protocol';
import { recordingLogger } from '../agent/agent-test-kit';

const APPS = 230;
const WORDS = ['Atlas', 'Beacon', 'Cobalt', 'Delta', 'Ember'];
const CATEGORIES = ['Design', 'Productivity', 'Utilities'];

let dir: string;
let server: AtworkServer;
let admin: AdminClient;
let agent: AgentService;
const logger = recordingLogger();

const copies = () => logger.lines.filter((line) => line.message === 'copied the catalog for search').length;

async function waitForCopy(before: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (copies() === before) {
    if (Date.now() > deadline) throw new Error(`no catalog copy was made: ${JSON.stringify(logger.lines.filter((l) => l.level !== 'info'))}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'atwork-copy-'));
  server = await startServer({ dataDir: path.join(dir, 'server') });
  const serverUrl = await server.listen({ host: '127.0.0.1', port: 0 });
  admin = new AdminClient(serverUrl, server.createdAdminToken!);
  const user = await admin.call<{ id: string }>('POST', '/users', { username: 'alice', displayName: 'Alice' });
  const { pin } = await admin.call<{ pin: string }>('POST', `/users/${user.id}/registration-pins`, {});
  for (let i = 0; i < APPS; i++) {
    await admin.call('POST', '/apps', {
      name: `${WORDS[i % WORDS.length]} ${i}`,
      bundleId: `com.example.app${i}`,
      version: '1.0',
      publisher: i % 4 === 0 ? 'Northwind' : 'Contoso',
      category: CATEGORIES[i % CATEGORIES.length],
      shortDescription: i % 7 === 0 ? 'Syncs your notes' : 'Gets work done',
      // Words only in the long description: search does not look there, on either side.
      description: 'Works well with Northwind mail and the quasar sync service.',
      type: 'app-store',
      distribution: i % 10 === 9 ? { kind: 'none' } : { kind: 'everyone' },
    });
  }
  agent = createNodeAgent({ stateDir: path.join(dir, 'agent'), logger });
  await agent.enroll({ serverUrl, username: 'alice', pin });
}, 120_000);

afterAll(async () => {
  await agent?.stop();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const QUERIES: CatalogQuery[] = [
  { limit: 60, offset: 0 },
  { limit: 100, offset: 150 },
  { search: 'cobalt', limit: 60, offset: 0 },
  { search: '  NORTHWIND ', category: 'Design', limit: 5, offset: 5 },
  { search: 'notes', limit: 60, offset: 0 },
  { search: 'quasar', limit: 60, offset: 0 },
  { category: 'Utilities', limit: 20, offset: 40 },
  { search: 'no such app', limit: 60, offset: 0 },
];

describe("the agent's copy of the catalog", () => {
  it('answers every query as the server does', async () => {
    for (const query of QUERIES) {
      // A check-in drops the copy, so the first answer comes from the server and starts a new copy.
      await agent.checkInNow();
      const before = copies();
      const fromServer: CatalogPage = await agent.getCatalog(query);
      await waitForCopy(before);
      const fromCopy = await agent.getCatalog(query);
      expect(fromCopy, JSON.stringify(query)).toEqual(fromServer);
    }
    expect((await agent.getCatalog({ limit: 100, offset: 0 })).page.total).toBe(APPS - APPS / 10);
    expect((await agent.getCatalog({ search: 'quasar', limit: 10, offset: 0 })).page.total).toBe(0);
  });

  it("shows an admin's new app after the next check-in, first from the server, then from the new copy", async () => {
    await agent.getCatalog({ limit: 1, offset: 0 });
    await admin.call('POST', '/apps', { name: 'Zephyr', bundleId: 'com.example.zephyr', version: '1.0', publisher: 'Fabrikam', category: 'Design', type: 'app-store', distribution: { kind: 'everyone' } });
    const search = { search: 'zephyr', limit: 10, offset: 0 };
    await agent.checkInNow();
    const before = copies();
    expect((await agent.getCatalog(search)).apps.map((a) => a.name)).toEqual(['Zephyr']);
    await waitForCopy(before);
    expect((await agent.getCatalog(search)).apps.map((a) => a.name)).toEqual(['Zephyr']);
  });
});
