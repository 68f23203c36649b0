// The development stand-in for package receipts off macOS: Debian's installed packages from dpkg's status file.
import { readFile, stat } from 'node:fs/promises';
import { MAX_INVENTORY_APPS } from '../../shared/protocol';
import type { PackageReceipt } from './package-receipts';

export const DPKG_STATUS_FILE = '/var/lib/dpkg/status';
/** A Debian system with thousands of packages has a status file of a few MB. */
const MAX_STATUS_BYTES = 64 * 1024 * 1024;

/** The installed packages in a dpkg status file's text (stanzas of `Field: value`, blank-line separated). */
export function receiptsOfDpkgStatus(text: string): PackageReceipt[] {
  const receipts: PackageReceipt[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of stanza.split('\n')) {
      const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (match) fields.set(match[1]!, match[2]!);
    }
    const name = fields.get('Package');
    if (name === undefined || fields.get('Status') !== 'install ok installed') continue;
    receipts.push({ packageId: `deb.${name}`.slice(0, 255), version: fields.get('Version')?.slice(0, 100) ?? null, installedAt: null });
    if (receipts.length >= MAX_INVENTORY_APPS) break;
  }
  return receipts.sort((a, b) => a.packageId.localeCompare(b.packageId));
}

/** The packages of this machine, or none where there is no dpkg. */
export async function collectDpkgPackages(statusFile = DPKG_STATUS_FILE): Promise<PackageReceipt[]> {
  try {
    if ((await stat(statusFile)).size > MAX_STATUS_BYTES) return [];
    return receiptsOfDpkgStatus(await readFile(statusFile, 'utf8'));
  } catch {
    return [];
  }
}
