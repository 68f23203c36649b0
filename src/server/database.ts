// The server's database: table types, and opening Kysely over SQLite (<dataDir>/atwork.db) or PostgreSQL (DESIGN.md §9).
import { Kysely, PostgresDialect, type Generated } from 'kysely';
import pg from 'pg';
import { openSqliteDatabase } from './sqlite-database';
import type { AuditLogTable } from './audit-log';
import type { DeviceAppsTable, DeviceAttributesTable, DevicesTable } from './device-queries';
import type { DeviceGroupMembersTable, GroupsTable, UserGroupMembersTable } from './group-queries';
import type { RegistrationPinsTable } from './registration-pins';
import type { AdminTokensTable } from './token-queries';
import type { UsersTable } from './user-queries';

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
  /** How the result's stdout / stderr text carries the output: 'utf8', or 'base64' of bytes that are not plain text. */
  stdout_encoding: Generated<string>;
  stderr_encoding: Generated<string>;
}

/** One script configuration version given to one device in a ticket: results are accepted for what was given (issue 9). */
export interface DeviceTicketsTable {
  device_id: string;
  configuration_id: string;
  configuration_version: number;
  /** The script the ticket named: a result is about this script, whatever the device claims. */
  script_id: string;
  script_version: number;
  first_issued_at: string;
}

export interface DeviceEventsTable {
  id: string;
  device_id: string;
  type: string;
  at: string;
  event: string;
  received_at: string;
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
  device_tickets: DeviceTicketsTable;
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

/** How long a request waits for a PostgreSQL connection before the database counts as unreachable. */
const POSTGRES_CONNECT_TIMEOUT_MS = 5000;

/**
 * Opens the database; a SQLite file is created when missing, a PostgreSQL database must exist.
 *
 * `onConnectionError` hears of PostgreSQL connections that die on their own (a database restart, a failover,
 * `idle_session_timeout`): without a listener node-postgres throws those as unhandled `error` events and the process
 * exits (issue 9). The pool replaces such connections by itself.
 */
export function openDatabase(location: DatabaseLocation, onConnectionError: (error: Error) => void = () => undefined): Db {
  const { databaseUrl } = location;
  if (databaseUrl === undefined || databaseUrl === '') return openSqliteDatabase(location.dataDir);
  if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new Error('DATABASE_URL must be a postgres:// or postgresql:// URL; leave it unset for the embedded SQLite database');
  }
  const pool = new pg.Pool({ connectionString: databaseUrl, max: POSTGRES_POOL_SIZE, connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS });
  // Idle clients report through the pool, checked-out ones through themselves: both need a listener.
  pool.on('error', onConnectionError);
  pool.on('connect', (client) => client.on('error', onConnectionError));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
