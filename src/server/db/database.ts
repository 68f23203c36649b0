// The server's database: every feature's tables in one Kysely type, opened over SQLite (<dataDir>/atwork.db) or PostgreSQL (DESIGN.md §9).
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { openSqliteDatabase } from './sqlite-database';
import type { AgentConfigurationsTable } from '../configurations/agent-configuration-queries';
import type { AuditLogTable } from '../audit/audit-log';
import type { DeviceAppsTable, DeviceAttributesTable, DevicesTable } from '../devices/device-queries';
import type { DeviceEventsTable, DeviceTicketsTable, ScriptResultsTable } from '../device-api/device-report-queries';
import type { DevicePackageReceiptsTable } from '../devices/inventory-queries';
import type { EnrollmentTokensTable } from '../devices/enrollment-token-queries';
import type { DeviceGroupMembersTable, GroupsTable, UserGroupMembersTable } from '../users/group-queries';
import type { RegistrationPinsTable } from '../devices/registration-pins';
import type { ScriptConfigurationsTable } from '../configurations/script-configuration-queries';
import type { BlobsTable, ScriptsTable, ScriptVersionsTable } from '../scripts/script-queries';
import type { SigningCertificatesTable, TenantsTable } from '../pki/signing-certificates';
import type { AdminTokensTable } from '../admin-api/token-queries';
import type { AppInstallReportsTable } from '../catalog/install-report-queries';
import type { AppReviewsTable } from '../catalog/review-queries';
import type { AppScreenshotsTable, AppsTable, CatalogImagesTable } from '../catalog/app-queries';
import type { ContentChunksTable, ContentObjectsTable } from '../catalog/content-store';
import type { CatalogRevisionsTable } from '../catalog/catalog-revisions';
import type { UsersTable } from '../users/user-queries';

// In every table timestamps are ISO-8601 UTC text, ids UUID text, JSON columns text, booleans 0/1 integers:
// one representation that SQLite and PostgreSQL both store the same way.

export interface Database {
  tenants: TenantsTable;
  signing_certificates: SigningCertificatesTable;
  admin_tokens: AdminTokensTable;
  users: UsersTable;
  registration_pins: RegistrationPinsTable;
  enrollment_tokens: EnrollmentTokensTable;
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
  device_package_receipts: DevicePackageReceiptsTable;
  device_tickets: DeviceTicketsTable;
  content_objects: ContentObjectsTable;
  content_chunks: ContentChunksTable;
  catalog_images: CatalogImagesTable;
  apps: AppsTable;
  app_screenshots: AppScreenshotsTable;
  app_reviews: AppReviewsTable;
  app_install_reports: AppInstallReportsTable;
  catalog_revisions: CatalogRevisionsTable;
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
