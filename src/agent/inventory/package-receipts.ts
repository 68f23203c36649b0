// The Mac's package receipts, as `pkgutil` lists them: every package installed by macOS's installer, with its version
// and install time. Read through `pkgutil` (its receipts database is private to it), one `--pkg-info` per package.
import { MAX_INVENTORY_APPS, type PackageReceipt } from '../../shared/protocol';
import type { Logger } from '../core/ports';
import { messageOf } from '../core/error-message';
import { systemCommandOutput, type CommandOutput } from '../runner/local-users';

export type { PackageReceipt };


const PKGUTIL_TIMEOUT_MS = 10_000;
const PKGUTIL_MAX_OUTPUT = 4 * 1024 * 1024;
/** pkgutil calls at a time: a Mac has a few hundred receipts, and inventory is background work. */
const PARALLEL = 4;
/** A package id as pkgutil prints them; anything else in its output is not passed back to it as an argument. */
const PACKAGE_ID = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,254}$/;

/** pkgutil on the system PATH; `--pkgs` on a Mac with many packages prints far more than an account lookup. */
export const pkgutilOutput: CommandOutput = systemCommandOutput({ timeoutMs: PKGUTIL_TIMEOUT_MS, maxOutputBytes: PKGUTIL_MAX_OUTPUT });

/** `pkgutil --pkg-info`'s `key: value` lines as a receipt; null without a package-id line. */
export function receiptOfPkgInfo(output: string): PackageReceipt | null {
  const fields = new Map<string, string>();
  for (const line of output.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const packageId = fields.get('package-id');
  if (packageId === undefined || !PACKAGE_ID.test(packageId)) return null;
  const seconds = Number(fields.get('install-time'));
  return {
    packageId,
    version: fields.get('version')?.slice(0, 100) || null,
    installedAt: Number.isInteger(seconds) && seconds > 0 ? new Date(seconds * 1000).toISOString() : null,
  };
}

/** Every receipt, by package id, at most MAX_INVENTORY_APPS; a package whose info cannot be read is logged and left out. */
export async function collectPackageReceipts(run: CommandOutput, logger: Pick<Logger, 'warn'>): Promise<PackageReceipt[]> {
  const ids = (await run('pkgutil', ['--pkgs']))
    .split('\n')
    .map((line) => line.trim())
    .filter((id) => PACKAGE_ID.test(id))
    .slice(0, MAX_INVENTORY_APPS);
  const receipts: PackageReceipt[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < ids.length) {
      const id = ids[next++]!;
      try {
        const receipt = receiptOfPkgInfo(await run('pkgutil', ['--pkg-info', id]));
        if (receipt !== null) receipts.push(receipt);
      } catch (error) {
        logger.warn('inventory: a package receipt is left out', { packageId: id, reason: messageOf(error) });
      }
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return receipts.sort((a, b) => a.packageId.localeCompare(b.packageId));
}
