// A device's inventory in the database (issue 13): its installed apps and package receipts, replaced as a whole by each report, and the digest of that report.
import type { InstalledApp, PackageReceipt } from '../../shared/protocol';
import { containsIgnoringCase } from '../admin-api/admin-route';
import type { Db } from '../db/database';
import { paginate } from '../db/paginate';
import { distributionTarget, type DeviceRef } from '../configurations/device-assignments';
import { includesDevice, readDistribution } from '../configurations/distribution';

/** Rows per INSERT of an inventory: well below SQLite's and PostgreSQL's bound-parameter limits. */
const INVENTORY_BATCH = 500;

export interface DevicePackageReceiptsTable {
  device_id: string;
  package_id: string;
  version: string | null;
  installed_at: string | null;
}

export interface StoredInventory {
  apps: InstalledApp[];
  receipts: PackageReceipt[];
  /** The digest the device computed for exactly these lists; null when it sent none. */
  digest: string | null;
}

/** Replaces the device's apps and receipts and records the report's digest and time, all in one transaction. */
export async function replaceInventory(db: Db, deviceId: string, inventory: StoredInventory, reportedAt: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('device_apps').where('device_id', '=', deviceId).execute();
    await trx.deleteFrom('device_package_receipts').where('device_id', '=', deviceId).execute();
    for (let i = 0; i < inventory.apps.length; i += INVENTORY_BATCH) {
      const apps = inventory.apps.slice(i, i + INVENTORY_BATCH);
      await trx
        .insertInto('device_apps')
        .values(apps.map((a) => ({ device_id: deviceId, bundle_id: a.bundleId, name: a.name, version: a.version, reported_at: reportedAt })))
        .execute();
    }
    for (let i = 0; i < inventory.receipts.length; i += INVENTORY_BATCH) {
      const receipts = inventory.receipts.slice(i, i + INVENTORY_BATCH);
      await trx
        .insertInto('device_package_receipts')
        .values(receipts.map((r) => ({ device_id: deviceId, package_id: r.packageId, version: r.version, installed_at: r.installedAt })))
        .execute();
    }
    await trx.updateTable('devices').set({ inventory_digest: inventory.digest, inventory_reported_at: reportedAt }).where('id', '=', deviceId).execute();
  });
}

/** The digest of the device's stored inventory; null before its first report with one. */
export async function storedInventoryDigest(db: Db, deviceId: string): Promise<string | null> {
  const row = await db.selectFrom('devices').select('inventory_digest').where('id', '=', deviceId).executeTakeFirst();
  return row?.inventory_digest ?? null;
}

/** How many apps and receipts the device's latest inventory lists, and when it reported it (null: never). */
export async function inventorySummary(db: Db, deviceId: string): Promise<{ reportedAt: string | null; apps: number; receipts: number }> {
  const [device, apps, receipts] = await Promise.all([
    db.selectFrom('devices').select('inventory_reported_at').where('id', '=', deviceId).executeTakeFirst(),
    db.selectFrom('device_apps').select((eb) => eb.fn.countAll().as('n')).where('device_id', '=', deviceId).executeTakeFirstOrThrow(),
    db.selectFrom('device_package_receipts').select((eb) => eb.fn.countAll().as('n')).where('device_id', '=', deviceId).executeTakeFirstOrThrow(),
  ]);
  return { reportedAt: device?.inventory_reported_at ?? null, apps: Number(apps.n), receipts: Number(receipts.n) };
}

/** One page of the device's package receipts by package id, filtered by part of the id. */
export async function listDeviceReceipts(db: Db, deviceId: string, q: string | undefined, page: { limit: number; offset: number }) {
  let base = db.selectFrom('device_package_receipts').where('device_id', '=', deviceId);
  if (q !== undefined) base = base.where(containsIgnoringCase('package_id', q));
  const { rows, page: answered } = await paginate(base.select(['package_id', 'version', 'installed_at']).orderBy('package_id'), page);
  return { receipts: rows.map((r) => ({ packageId: r.package_id, version: r.version, installedAt: r.installed_at })), page: answered };
}

/**
 * The Packager in-house apps of the device's catalog, by name, each installed or not as its latest inventory lists the
 * bundle id (Packager apps are installed outside Apps@Work, so the inventory is all the server knows of them).
 */
export async function inHouseAppsOnDevice(db: Db, device: DeviceRef): Promise<{ appId: string; name: string; bundleId: string; installed: boolean; installedVersion: string | null }[]> {
  const [apps, target] = await Promise.all([
    db.selectFrom('apps').select(['id', 'name', 'bundle_id', 'distribution']).where('tenant_id', '=', device.tenantId).where('type', '=', 'packager').orderBy('name').orderBy('id').execute(),
    distributionTarget(db, device),
  ]);
  const distributed = apps.filter((a) => includesDevice(readDistribution(a.distribution), target));
  if (distributed.length === 0) return [];
  const listed = await db
    .selectFrom('device_apps')
    .select(['bundle_id', 'version'])
    .where('device_id', '=', device.id)
    .where('bundle_id', 'in', [...new Set(distributed.map((a) => a.bundle_id))])
    .execute();
  const versions = new Map(listed.map((r) => [r.bundle_id, r.version]));
  return distributed.map((a) => ({ appId: a.id, name: a.name, bundleId: a.bundle_id, installed: versions.has(a.bundle_id), installedVersion: versions.get(a.bundle_id) ?? null }));
}
