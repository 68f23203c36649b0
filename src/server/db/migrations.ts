// Schema migrations in order, one file each under migrations/, written with Kysely's schema builder so the same steps run on SQLite and PostgreSQL.
import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Db } from './database';
import { initialSchema } from './migrations/0001-initial-schema';
import { tenantKeyring } from './migrations/0002-tenant-keyring';
import { fleetAdministration } from './migrations/0010-fleet-administration';
import { deviceTicketsAndOutputEncoding } from './migrations/0011-device-tickets-and-output-encoding';
import { appCatalog } from './migrations/0012-app-catalog';
import { catalogRevisions } from './migrations/0013-catalog-revisions';
import { enrollmentTokens } from './migrations/0014-enrollment-tokens';
import { devicesWithoutUsers } from './migrations/0015-devices-without-users';
import { inventoryReceipts } from './migrations/0016-inventory-receipts';
import { retireRequests } from './migrations/0017-retire-requests';

// Kysely's Migrator keys applied migrations on these names: an existing database upgrades only while they stay as they are.
export const MIGRATIONS: Record<string, Migration> = {
  '0001_initial_schema': initialSchema,
  '0002_tenant_keyring': tenantKeyring,
  '0010_fleet_administration': fleetAdministration,
  '0011_device_tickets_and_output_encoding': deviceTicketsAndOutputEncoding,
  '0012_app_catalog': appCatalog,
  '0013_catalog_revisions': catalogRevisions,
  '0014_enrollment_tokens': enrollmentTokens,
  '0015_devices_without_users': devicesWithoutUsers,
  '0016_inventory_receipts': inventoryReceipts,
  '0017_retire_requests': retireRequests,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/** Brings the database schema up to date; throws with the failing migration's name when one fails. */
export async function migrateToLatest(db: Db): Promise<void> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
