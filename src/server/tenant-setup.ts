// First start of a data folder, idempotent across restarts: schema, the tenant and its PKI, the admin token, the system default configuration.
import { createPrivateKey, randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_AGENT_CONFIG } from '../shared/agent-config';
import { sha256Hex } from '../shared/blob-cipher';
import type { Db } from './database';
import { migrateToLatest } from './migrations';
import { createTenantPki, type TenantSigner } from './tenant-pki';

const TENANT_NAME = 'Default';
export const SYSTEM_DEFAULT_AGENT_CONFIG_NAME = 'Mobile@Work for macOS (system default)';
export const ADMIN_TOKEN_FILE = 'admin-token';

export interface Tenant {
  id: string;
  name: string;
  rootCertificatePem: string;
  signer: TenantSigner;
}

export interface InitialisedDataDir {
  tenant: Tenant;
  /** Plain admin token, only when this start created it. */
  createdAdminToken: string | null;
}

/** Writes a secret file readable by the owner only, whatever the umask or an earlier file's mode. */
async function writeSecretFile(file: string, contents: string): Promise<void> {
  await writeFile(file, contents, { mode: 0o600 });
  await chmod(file, 0o600);
}

function pkiDir(dataDir: string, tenantId: string): string {
  return path.join(dataDir, 'pki', tenantId);
}

async function createTenant(db: Db, dataDir: string, now: Date): Promise<void> {
  const id = randomUUID();
  const pki = await createTenantPki(id, TENANT_NAME, now);
  // Private keys live in files next to the database, never in it, so a database dump does not leak them.
  const dir = pkiDir(dataDir, id);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(path.join(dataDir, 'pki'), 0o700);
  await chmod(dir, 0o700);
  await writeSecretFile(path.join(dir, 'root-key.pem'), pki.rootPrivateKeyPem);
  await writeSecretFile(path.join(dir, 'signing-key.pem'), pki.signingPrivateKeyPem);
  await db
    .insertInto('tenants')
    .values({
      id,
      name: TENANT_NAME,
      root_certificate_pem: pki.rootCertificatePem,
      signing_certificate_pem: pki.signingCertificatePem,
      created_at: now.toISOString(),
    })
    .execute();
}

async function loadTenant(db: Db, dataDir: string): Promise<Tenant> {
  const row = await db.selectFrom('tenants').selectAll().orderBy('created_at').executeTakeFirstOrThrow();
  const keyFile = path.join(pkiDir(dataDir, row.id), 'signing-key.pem');
  let keyPem: string;
  try {
    keyPem = await readFile(keyFile, 'utf8');
  } catch (error) {
    throw new Error(`The tenant signing key ${keyFile} cannot be read (${(error as Error).message}); restore it from backup.`);
  }
  return {
    id: row.id,
    name: row.name,
    rootCertificatePem: row.root_certificate_pem,
    signer: {
      tenantId: row.id,
      signingKey: createPrivateKey(keyPem),
      certificateChainPem: [row.signing_certificate_pem, row.root_certificate_pem],
    },
  };
}

async function createAdminTokenIfNone(db: Db, dataDir: string, now: Date): Promise<string | null> {
  const existing = await db.selectFrom('admin_tokens').select('id').executeTakeFirst();
  if (existing) return null;
  const token = `atw_${randomBytes(32).toString('base64url')}`;
  // File first: if the insert then fails, the next start finds no token and replaces the file; the reverse order could lose the only token.
  await writeSecretFile(path.join(dataDir, ADMIN_TOKEN_FILE), `${token}\n`);
  await db
    .insertInto('admin_tokens')
    .values({ id: randomUUID(), token_sha256: sha256Hex(token), created_at: now.toISOString() })
    .execute();
  return token;
}

async function createSystemDefaultAgentConfigIfNone(db: Db, tenantId: string, now: Date): Promise<void> {
  const existing = await db
    .selectFrom('agent_configurations')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('is_system_default', '=', 1)
    .executeTakeFirst();
  if (existing) return;
  await db
    .insertInto('agent_configurations')
    .values({
      id: randomUUID(),
      tenant_id: tenantId,
      name: SYSTEM_DEFAULT_AGENT_CONFIG_NAME,
      description: 'Created by the server; distributed to no one until an administrator distributes it.',
      is_system_default: 1,
      settings: JSON.stringify(DEFAULT_AGENT_CONFIG),
      distribution: JSON.stringify({ kind: 'none' }),
      version: 1,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    })
    .execute();
}

/** Creates the data folder when missing and keeps it private (0700): it holds the database, keys and admin token. */
export async function ensureDataDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chmod(dataDir, 0o700);
}

/** Prepares the database of a data folder; creates only what a previous start did not. */
export async function initialiseDataDir(db: Db, dataDir: string, now: Date): Promise<InitialisedDataDir> {
  await migrateToLatest(db);
  const hasTenant = await db.selectFrom('tenants').select('id').executeTakeFirst();
  if (!hasTenant) await createTenant(db, dataDir, now);
  const tenant = await loadTenant(db, dataDir);
  const createdAdminToken = await createAdminTokenIfNone(db, dataDir, now);
  await createSystemDefaultAgentConfigIfNone(db, tenant.id, now);
  return { tenant, createdAdminToken };
}
