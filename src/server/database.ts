// The server's database: table types, and opening Kysely over SQLite (<dataDir>/atwork.db) or PostgreSQL (DESIGN.md §9).
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type Generated } from 'kysely';
import pg from 'pg';

// Timestamps are ISO-8601 UTC text, ids UUID text, JSON columns text, booleans 0/1 integers:
// one representation that SQLite and PostgreSQL both store the same way.

export interface TenantsTable {
  id: string;
  name: string;
  root_certificate_pem: string;
  /** The signing certificate in use, kept in step with signing_certificates on rotation. */
  signing_certificate_pem: string;
  created_at: string;
  /** The root private key sealed under the master key (private-key-vault.ts); null only before migration 0002's import. */
  root_private_key_sealed: string | null;
  /** Number of the latest CRL; only ever grows, so agents can refuse an older list. */
  crl_number: Generated<number>;
  /** Latest CRL, base64 DER, signed by the root. */
  crl: string | null;
  crl_issued_at: string | null;
}

export interface SigningCertificatesTable {
  /** Lower-case hex, no leading zeros. */
  serial_number: string;
  tenant_id: string;
  certificate_pem: string;
  private_key_sealed: string;
  not_before: string;
  not_after: string;
  created_at: string;
  revoked_at: string | null;
  revocation_reason: string | null;
}

export interface AdminTokensTable {
  id: string;
  token_sha256: string;
  created_at: string;
  name: Generated<string>;
  /** 'admin' may change anything; 'read-only' may only read (admin-auth.ts). */
  scope: Generated<string>;
  revoked_at: Generated<string | null>;
}

export interface UsersTable {
  id: string;
  tenant_id: string;
  username: string;
  display_name: string | null;
  created_at: string;
}

export interface RegistrationPinsTable {
  id: string;
  user_id: string;
  pin_hash: string;
  pin_salt: string;
  expires_at: string;
  used_at: string | null;
  failed_attempts: Generated<number>;
  created_at: string;
}

export interface DevicesTable {
  id: string;
  tenant_id: string;
  user_id: string;
  name: string;
  status: 'active' | 'retired';
  public_jwk: string;
  facts: string;
  enrolled_at: string;
  last_checkin_at: string | null;
  agent_version: string | null;
  os_version: string | null;
  checkin_seq: Generated<number>;
}

export interface BlobsTable {
  id: string;
  bytes: Buffer;
  sha256: string;
  size: number;
  content_key: string;
  created_at: string;
}

export interface ScriptsTable {
  id: string;
  tenant_id: string;
  name: string;
  type: string;
  run_as_root: number;
  description: string | null;
  latest_version: number;
  created_at: string;
  updated_at: string;
  /** JSON array of the latest version's inputs {label, variable, defaultValue}. */
  inputs: string;
  /** Device attribute the script's trimmed output sets, or null. */
  attribute: string | null;
}

export interface ScriptVersionsTable {
  script_id: string;
  version: number;
  blob_id: string;
  created_at: string;
  type: string;
  run_as_root: number;
  inputs: string;
}

export interface AgentConfigurationsTable {
  id: string;
  tenant_id: string;
  name: string;
  description: string | null;
  is_system_default: number;
  settings: string;
  distribution: string;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface ScriptConfigurationsTable {
  id: string;
  tenant_id: string;
  name: string;
  script_id: string;
  script_version: number;
  schedule: string;
  variables: string;
  distribution: string;
  version: number;
  created_at: string;
  updated_at: string;
  /** JSON object: script input variable -> {variable?: alternate name, value?: overriding default}. */
  inputs: string;
  description: string | null;
}

export interface ScriptResultsTable {
  execution_id: string;
  device_id: string;
  configuration_id: string;
  status: string;
  ended_at: string;
  result: string;
  received_at: string;
}

export interface DeviceEventsTable {
  id: string;
  device_id: string;
  type: string;
  at: string;
  event: string;
  received_at: string;
}

export interface AuditLogTable {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string;
  details: string;
}

export interface GroupsTable {
  id: string;
  tenant_id: string;
  name: string;
  description: string | null;
  created_at: string;
  updated_at: string;
}

export interface UserGroupMembersTable {
  group_id: string;
  user_id: string;
  added_at: string;
}

export interface DeviceGroupMembersTable {
  group_id: string;
  device_id: string;
  added_at: string;
}

export interface DeviceAttributesTable {
  device_id: string;
  name: string;
  value: string;
  execution_id: string;
  updated_at: string;
}

export interface DeviceAppsTable {
  device_id: string;
  bundle_id: string;
  name: string;
  version: string | null;
  reported_at: string;
}

export interface Database {
  tenants: TenantsTable;
  signing_certificates: SigningCertificatesTable;
  admin_tokens: AdminTokensTable;
  users: UsersTable;
  registration_pins: RegistrationPinsTable;
  devices: DevicesTable;
  blobs: BlobsTable;
  scripts: ScriptsTable;
  script_versions: ScriptVersionsTable;
  agent_configurations: AgentConfigurationsTable;
  script_configurations: ScriptConfigurationsTable;
  script_results: ScriptResultsTable;
  device_events: DeviceEventsTable;
  audit_log: AuditLogTable;
  user_groups: GroupsTable;
  user_group_members: UserGroupMembersTable;
  device_groups: GroupsTable;
  device_group_members: DeviceGroupMembersTable;
  device_attributes: DeviceAttributesTable;
  device_apps: DeviceAppsTable;
}

export type Db = Kysely<Database>;

/** Where the server keeps its data: the SQLite file of the data folder, or a PostgreSQL database when a URL is given. */
export interface DatabaseLocation {
  dataDir: string;
  /** `postgres://...`; absent means the embedded SQLite default. */
  databaseUrl?: string;
}

/** Size of the PostgreSQL connection pool of one server process. */
const POSTGRES_POOL_SIZE = 10;

/** Opens the database; a SQLite file is created when missing, a PostgreSQL database must exist. */
export function openDatabase(location: DatabaseLocation): Db {
  const { databaseUrl } = location;
  if (databaseUrl === undefined || databaseUrl === '') return openSqliteDatabase(location.dataDir);
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error('DATABASE_URL must be a postgres:// or postgresql:// URL; leave it unset for the embedded SQLite database');
  }
  const pool = new pg.Pool({ connectionString: databaseUrl, max: POSTGRES_POOL_SIZE });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

function openSqliteDatabase(dataDir: string): Db {
  const sqlite = new SqliteDatabase(path.join(dataDir, 'atwork.db'));
  // WAL lets readers continue while a check-in writes; foreign keys are off by default in SQLite.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
}
