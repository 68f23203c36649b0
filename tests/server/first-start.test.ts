// First start of a data folder: files and their modes, and restarts that reuse the tenant and leave the admin token alone.
import { randomBytes, X509Certificate } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/shared/node/blob-cipher';
import { DEFAULT_AGENT_CONFIG } from '../../src/shared/agent-config';
import { startServer } from '../../src/server/app/server-app';
import { ADMIN, makeTempDir, removeDir } from './server-fixture';

const mode = async (file: string) => (await stat(file)).mode & 0o777;

describe('first start', () => {
  let root: string;
  let dataDir: string;
  beforeEach(async () => {
    root = await makeTempDir();
    dataDir = path.join(root, 'data');
  });
  afterEach(async () => {
    await removeDir(root);
  });

  it('creates a private data folder, a 0600 master key, the admin token file, and no tenant key file', async () => {
    const server = await startServer({ dataDir });
    try {
      expect(server.createdAdminToken).toMatch(/^atw_[A-Za-z0-9_-]{43}$/);
      expect(await mode(dataDir)).toBe(0o700);
      const tokenFile = path.join(dataDir, 'admin-token');
      expect(await mode(tokenFile)).toBe(0o600);
      expect((await readFile(tokenFile, 'utf8')).trim()).toBe(server.createdAdminToken);
      expect(await mode(path.join(dataDir, 'master-key'))).toBe(0o600);
      // The tenant's private keys live only in the database, sealed under the master key (issue 4).
      expect((await readdir(dataDir)).filter((f) => !f.startsWith('atwork.db')).sort()).toEqual(['admin-token', 'master-key', 'server.lock']);

      const db = new SqliteDatabase(path.join(dataDir, 'atwork.db'), { readonly: true });
      try {
        const tenant = db.prepare('select * from tenants').all() as { id: string; name: string; root_certificate_pem: string; signing_certificate_pem: string }[];
        expect(tenant).toHaveLength(1);
        expect(tenant[0]!.name).toBe('Default');
        const rootCertificate = new X509Certificate(tenant[0]!.root_certificate_pem);
        expect(new X509Certificate(tenant[0]!.signing_certificate_pem).verify(rootCertificate.publicKey)).toBe(true);
        // Only the hash of the admin token is stored, and no private key is in the database.
        const tokens = db.prepare('select token_sha256 from admin_tokens').all() as { token_sha256: string }[];
        expect(tokens).toEqual([{ token_sha256: sha256Hex(server.createdAdminToken!) }]);
        const dump = JSON.stringify([db.prepare('select * from tenants').all(), db.prepare('select * from signing_certificates').all()]);
        expect(dump).not.toContain('PRIVATE KEY');
        expect(dump).toMatch(/"root_private_key_sealed":"v1\./);
      } finally {
        db.close();
      }
    } finally {
      await server.close();
    }
  });

  it('reuses the tenant on restart and neither creates nor rewrites the admin token', async () => {
    const first = await startServer({ dataDir });
    const token = first.createdAdminToken!;
    const tenantBefore = (await first.app.inject({ method: 'GET', url: `${ADMIN}/signing-certificates`, headers: { authorization: `Bearer ${token}` } })).json();
    await first.close();
    const tokenFile = path.join(dataDir, 'admin-token');
    const before = await stat(tokenFile);

    const second = await startServer({ dataDir });
    try {
      expect(second.createdAdminToken).toBeNull();
      expect((await second.app.inject({ method: 'GET', url: `${ADMIN}/signing-certificates`, headers: { authorization: `Bearer ${token}` } })).json()).toEqual(tenantBefore);
      expect((await stat(tokenFile)).mtimeMs).toBe(before.mtimeMs);
      // The token of the first start still authenticates.
      const response = await second.app.inject({ method: 'GET', url: `${ADMIN}/agent-configurations`, headers: { authorization: `Bearer ${token}` } });
      expect(response.statusCode).toBe(200);
      const configurations = response.json<{ agentConfigurations: { name: string; systemDefault: boolean }[] }>().agentConfigurations;
      expect(configurations.filter((c) => c.systemDefault)).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it('has a system default agent configuration with the default settings, distributed to no one', async () => {
    const server = await startServer({ dataDir });
    try {
      const response = await server.app.inject({
        method: 'GET',
        url: `${ADMIN}/agent-configurations`,
        headers: { authorization: `Bearer ${server.createdAdminToken}` },
      });
      expect(response.json()).toMatchObject({
        agentConfigurations: [
          expect.objectContaining({
            name: 'Mobile@Work for macOS (system default)',
            systemDefault: true,
            ...DEFAULT_AGENT_CONFIG,
            distribution: { kind: 'none' },
          }),
        ],
      });
    } finally {
      await server.close();
    }
  });

  it('fails with a clear message when the master key is not the one the data folder was created with', async () => {
    const first = await startServer({ dataDir });
    await first.close();
    await writeFile(path.join(dataDir, 'master-key'), `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    await expect(startServer({ dataDir })).rejects.toThrow(/cannot be decrypted: the master key is not the one/);
  });

  it('creates the tenant, its keys, the admin token and the default configuration in one transaction', async () => {
    // A start that fails half-way (here: a trigger refuses the default configuration) must leave none of them behind.
    const { mkdir } = await import('node:fs/promises');
    const { openDatabase } = await import('../../src/server/db/database');
    const { migrateToLatest } = await import('../../src/server/db/migrations');
    await mkdir(dataDir, { mode: 0o700 });
    await writeFile(path.join(dataDir, 'atwork.db'), '', { mode: 0o600 });
    const db = openDatabase({ dataDir });
    await migrateToLatest(db);
    await db.destroy();
    const sqlite = new SqliteDatabase(path.join(dataDir, 'atwork.db'));
    sqlite.exec("CREATE TRIGGER refuse BEFORE INSERT ON agent_configurations BEGIN SELECT RAISE(ABORT, 'injected failure'); END;");
    sqlite.close();
    await expect(startServer({ dataDir })).rejects.toThrow(/injected failure/);
    const count = (table: string) => {
      const check = new SqliteDatabase(path.join(dataDir, 'atwork.db'), { readonly: true });
      try {
        return (check.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
      } finally {
        check.close();
      }
    };
    expect(['tenants', 'signing_certificates', 'admin_tokens'].map(count)).toEqual([0, 0, 0]);
    const fix = new SqliteDatabase(path.join(dataDir, 'atwork.db'));
    fix.exec('DROP TRIGGER refuse');
    fix.close();
    const server = await startServer({ dataDir });
    try {
      expect(server.createdAdminToken).not.toBeNull();
      expect(['tenants', 'signing_certificates', 'admin_tokens'].map(count)).toEqual([1, 1, 1]);
    } finally {
      await server.close();
    }
  });
});
