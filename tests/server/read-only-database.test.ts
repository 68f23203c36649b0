// A PostgreSQL database that turns read-only (a standby after failover, an administrator's switch): 503 for changes, readiness fails, a start refuses.
import path from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer } from '../../src/server/app/server-app';
import { createTestDatabase, type TestDatabase } from '../support/test-databases';
import { makeTempDir, removeDir } from './server-fixture';

let root: string;
let database: TestDatabase;

beforeEach(async () => {
  root = await makeTempDir();
  database = await createTestDatabase('postgres');
});

afterEach(async () => {
  await database.drop();
  await removeDir(root);
});

async function setReadOnly(on: boolean): Promise<void> {
  const url = new URL(database.databaseUrl!);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`ALTER DATABASE ${name} SET default_transaction_read_only = ${on ? 'on' : 'off'}`);
    // The setting applies to new sessions: end the pool's, as a failover would.
    await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
  } finally {
    await client.end();
  }
}

describe('a read-only PostgreSQL database', () => {
  it('refuses changes with 503 while reads go on, fails readiness, and a new start refuses with one sentence', async () => {
    const dataDir = path.join(root, 'data');
    const server = await startServer({ dataDir, databaseUrl: database.databaseUrl });
    const auth = { authorization: `Bearer ${server.createdAdminToken}` };
    try {
      await setReadOnly(true);
      // The first requests may meet the ended sessions (503 database_unavailable) until the pool has new ones.
      let refused = null;
      for (let i = 0; i < 50 && refused === null; i++) {
        const response = await server.app.inject({ method: 'POST', url: '/api/admin/v1/users', headers: auth, payload: { username: `u${i}` } });
        expect(response.statusCode).not.toBe(201);
        if (response.json().error === 'database_read_only') refused = response;
        else await new Promise((r) => setTimeout(r, 100));
      }
      if (refused === null) throw new Error('no change was refused as read-only within 5 s');
      expect(refused.statusCode).toBe(503);
      expect(refused.json().error).toBe('database_read_only');
      expect(refused.headers['retry-after']).toBeDefined();
      expect((await server.app.inject({ method: 'GET', url: '/api/admin/v1/users', headers: auth })).statusCode).toBe(200);
      expect((await server.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
    } finally {
      await server.close();
    }
    await expect(startServer({ dataDir, databaseUrl: database.databaseUrl })).rejects.toThrow(
      /^The database cannot be written \(cannot execute UPDATE in a read-only transaction\); make it writable/,
    );
    await setReadOnly(false);
    await (await startServer({ dataDir, databaseUrl: database.databaseUrl })).close();
  });
});
