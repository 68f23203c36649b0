// Migration 0016_inventory_receipts (issue 13): the digest of each device's stored inventory, so a check-in tells whether the list changed, and its package receipts.
import type { Kysely, Migration } from 'kysely';

export const inventoryReceipts: Migration = {
  async up(db: Kysely<unknown>) {
    // Null until the device's first report with a digest: a check-in with a digest is then always asked for the list.
    await db.schema.alterTable('devices').addColumn('inventory_digest', 'text').execute();
    await db.schema.alterTable('devices').addColumn('inventory_reported_at', 'text').execute();

    // Replaced as a whole by each report, like device_apps.
    await db.schema
      .createTable('device_package_receipts')
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
      .addColumn('package_id', 'text', (c) => c.notNull())
      .addColumn('version', 'text')
      .addColumn('installed_at', 'text')
      .addPrimaryKeyConstraint('device_package_receipts_pk', ['device_id', 'package_id'])
      .execute();

    // installedCount counts devices by bundle id across the tenant: without this index it reads every device's apps.
    await db.schema.createIndex('device_apps_bundle').on('device_apps').column('bundle_id').execute();
  },
};
