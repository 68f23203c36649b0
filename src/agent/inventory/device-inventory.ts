// The device's inventory: its apps and package receipts, collected where the platform keeps them, and the digest
// the check-in carries so the list itself is sent only when it changed.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { InstalledApp } from '../../shared/protocol';
import type { Logger } from '../core/ports';
import { collectAppBundles, macApplicationFolders } from './app-bundles';
import { collectDpkgPackages } from './dpkg-packages';
import { collectPackageReceipts, pkgutilOutput, type PackageReceipt } from './package-receipts';

export interface DeviceInventory {
  apps: InstalledApp[];
  receipts: PackageReceipt[];
}

/** Where the inventory comes from on this machine. */
export interface InventorySources {
  appFolders: readonly string[];
  receipts(logger: Pick<Logger, 'warn'>): Promise<PackageReceipt[]>;
}

/**
 * On macOS: /Applications and the console user's ~/Applications, and pkgutil's receipts. Elsewhere (development):
 * the folders in ATWORK_INVENTORY_APP_DIRS (path-separated; none by default) and dpkg's packages.
 */
export function platformInventorySources(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, consoleUserHome: string | null): InventorySources {
  if (platform === 'darwin') return { appFolders: macApplicationFolders(consoleUserHome), receipts: (logger) => collectPackageReceipts(pkgutilOutput, logger) };
  const folders = (env.ATWORK_INVENTORY_APP_DIRS ?? '').split(path.delimiter).filter((folder) => path.isAbsolute(folder));
  return { appFolders: folders, receipts: () => collectDpkgPackages() };
}

export async function collectInventory(sources: InventorySources, logger: Pick<Logger, 'warn'>): Promise<DeviceInventory> {
  const [apps, receipts] = await Promise.all([collectAppBundles(sources.appFolders, logger), sources.receipts(logger)]);
  return { apps, receipts };
}

/**
 * sha256 of the inventory in one canonical form (sorted, fixed key order), so the same apps give the same digest
 * on the agent and on the server whatever order they were found in.
 */
export function inventoryDigest(inventory: DeviceInventory): string {
  const apps = [...inventory.apps].sort((a, b) => byKey(a.bundleId, b.bundleId)).map((app) => [app.bundleId, app.name, app.version]);
  const receipts = [...inventory.receipts].sort((a, b) => byKey(a.packageId, b.packageId)).map((receipt) => [receipt.packageId, receipt.version, receipt.installedAt]);
  return createHash('sha256').update(JSON.stringify({ apps, receipts })).digest('hex');
}

/** Code-unit order: the same on every machine, whatever its locale. */
function byKey(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
