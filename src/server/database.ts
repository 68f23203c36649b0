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
  signing_certificate_pem: string;
  created_at: string;
}

export interface AdminTokensTable {
  id: string;
  token_sha256: string;
  created_at: string;
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
}

export interface ScriptVersionsTable {
  script_id: string;
  version: number;
  blob_id: string;
  created_at: string;
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

export interface Database {
  tenants: TenantsTable;
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
