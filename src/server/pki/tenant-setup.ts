// First start of a data folder, idempotent across restarts: schema, the tenant and its PKI (keys sealed), the admin token, the system default configuration.
import { randomBytes, randomUUID, X509Certificate } from 'node:crypto';
import { chmod, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_AGENT_CONFIG } from '../../shared/agent-config';
import { sha256Hex } from '../../shared/node/blob-cipher';
import type { Db } from '../db/database';
import { loadMasterKey } from './master-key';
import { migrateToLatest } from '../db/migrations';
import { PrivateKeyVault } from './private-key-vault';
import { rootKeyLabel, storeSigningCertificate, TenantKeyring } from './signing-certificates';
import { createTenantPki, normalizeSerial } from './tenant-pki';

const TENANT_NAME = 'Default';
export const SYSTEM_DEFAULT_AGENT_CONFIG_NAME = 'Mobile@Work for macOS (system default)';
export const ADMIN_TOKEN_FILE = 'admin-token';
/** Where the walking skeleton kept the tenant keys in the clear; imported into the database sealed, then deleted. */
const LEGACY_PKI_DIR = 'pki';

export interface Tenant {
  id: string;
  name: string;
  rootCertificatePem: string;
  /** Which certificate signs tickets, rotation, revocation and the CRL. */
  keyring: TenantKeyring;
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

async function createTenant(db: Db, vault: PrivateKeyVault, now: Date): Promise<string> {
  const id = randomUUID();
  const pki = await createTenantPki(id, TENANT_NAME, now);
  const signing = new X509Certificate(pki.signingCertificatePem);
  // Private keys are sealed under the master key before they reach the database: a dump or a stolen file alone leaks nothing.
  await db
    .insertInto('tenants')
    .values({
      id,
      name: TENANT_NAME,
      root_certificate_pem: pki.rootCertificatePem,
      signing_certificate_pem: pki.signingCertificatePem,
      created_at: now.toISOString(),
      root_private_key_sealed: vault.seal(pki.rootPrivateKeyPem, rootKeyLabel(id)),
      crl: null,
      crl_issued_at: null,
    })
    .execute();
  await storeSigningCertificate(
    db,
    vault,
    id,
    {
      certificatePem: pki.signingCertificatePem,
      privateKeyPem: pki.signingPrivateKeyPem,
      serialNumber: normalizeSerial(signing.serialNumber),
      notBefore: new Date(signing.validFrom),
      notAfter: new Date(signing.validTo),
    },
    now,
  );
  return id;
}

/** Seals the clear-text key files an older version wrote under <dataDir>/pki into the database, then deletes them. */
async function importLegacyKeyFiles(db: Db, vault: PrivateKeyVault, dataDir: string, row: { id: string; signing_certificate_pem: string }, now: Date): Promise<void> {
  const dir = path.join(dataDir, LEGACY_PKI_DIR, row.id);
  const read = async (name: string): Promise<string> => {
    try {
      return await readFile(path.join(dir, name), 'utf8');
    } catch (error) {
      throw new Error(`The tenant key ${path.join(dir, name)} cannot be read (${(error as Error).message}); restore it from backup.`);
    }
  };
  const [rootPem, signingPem] = [await read('root-key.pem'), await read('signing-key.pem')];
  const signing = new X509Certificate(row.signing_certificate_pem);
  await storeSigningCertificate(
    db,
    vault,
    row.id,
    {
      certificatePem: row.signing_certificate_pem,
      privateKeyPem: signingPem,
      serialNumber: normalizeSerial(signing.serialNumber),
      notBefore: new Date(signing.validFrom),
      notAfter: new Date(signing.validTo),
    },
    now,
  );
  await db.updateTable('tenants').set({ root_private_key_sealed: vault.seal(rootPem, rootKeyLabel(row.id)) }).where('id', '=', row.id).execute();
  await rm(dir, { recursive: true, force: true });
  await rmdir(path.join(dataDir, LEGACY_PKI_DIR)).catch(() => undefined);
}

async function loadTenant(db: Db, vault: PrivateKeyVault, dataDir: string, now: Date): Promise<Tenant> {
  const row = await db.selectFrom('tenants').selectAll().orderBy('created_at').executeTakeFirstOrThrow();
  if (row.root_private_key_sealed === null) await importLegacyKeyFiles(db, vault, dataDir, row, now);
  const tenant = { id: row.id, name: row.name, rootCertificatePem: row.root_certificate_pem };
  const keyring = new TenantKeyring(db, vault, tenant);
  // Opening the current signing key now makes a wrong master key fail the start, not the first check-in.
  await keyring.currentSigner(now);
  return { ...tenant, keyring };
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

/** Prepares the database of a data folder; creates only what a previous start did not. */
export async function initialiseDataDir(db: Db, dataDir: string, now: Date, env: NodeJS.ProcessEnv = process.env): Promise<InitialisedDataDir> {
  await migrateToLatest(db);
  const vault = new PrivateKeyVault(await loadMasterKey(dataDir, env));
  // One transaction: a start that dies half-way leaves no tenant without keys, token or default configuration (issue 9).
  const createdAdminToken = await db.transaction().execute(async (trx) => {
    let tenantId = (await trx.selectFrom('tenants').select('id').orderBy('created_at').executeTakeFirst())?.id;
    if (tenantId === undefined) tenantId = await createTenant(trx, vault, now);
    const token = await createAdminTokenIfNone(trx, dataDir, now);
    await createSystemDefaultAgentConfigIfNone(trx, tenantId, now);
    return token;
  });
  const tenant = await loadTenant(db, vault, dataDir, now);
  return { tenant, createdAdminToken };
}
