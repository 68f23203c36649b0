// The `.app` bundles in the Applications folders (and one level of subfolders, as /Applications/Utilities), each read
// from its Info.plist. The agent runs as root and ~/Applications is the user's: nothing there is trusted to be what
// its name says, so every file is opened without following a link, checked to be a regular file, and size-capped.
import { constants } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { MAX_INVENTORY_APPS, type InstalledApp } from '../../shared/protocol';
import type { Logger } from '../core/ports';
import { messageOf } from '../core/error-message';
import { appOfInfoPlist, MAX_INFO_PLIST_BYTES } from './info-plist';

/** Where macOS keeps apps: the Mac's folder and the console user's. */
export function macApplicationFolders(home: string | null): string[] {
  return ['/Applications', ...(home === null ? [] : [path.join(home, 'Applications')])];
}

/**
 * Every app bundle in `folders`, by bundle id (the first folder's copy wins), at most MAX_INVENTORY_APPS. A bundle
 * whose Info.plist cannot be read is logged and left out; a folder that does not exist is none.
 */
export async function collectAppBundles(folders: readonly string[], logger: Pick<Logger, 'warn'>): Promise<InstalledApp[]> {
  const found = new Map<string, InstalledApp>();
  for (const folder of folders) {
    for (const bundle of await bundlesIn(folder, 2)) {
      if (found.size >= MAX_INVENTORY_APPS) break;
      try {
        const app = appOfInfoPlist(await readInfoPlist(bundle), path.basename(bundle));
        if (!found.has(app.bundleId)) found.set(app.bundleId, app);
      } catch (error) {
        logger.warn('inventory: an app bundle is left out', { bundle, reason: messageOf(error) });
      }
    }
  }
  return [...found.values()].sort((a, b) => a.bundleId.localeCompare(b.bundleId));
}

/** The `.app` folders in `folder` and, `depth` permitting, in its plain subfolders; links are not followed. */
async function bundlesIn(folder: string, depth: number): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  const bundles: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const full = path.join(folder, entry.name);
    if (entry.name.endsWith('.app')) bundles.push(full);
    else if (depth > 1) bundles.push(...(await bundlesIn(full, depth - 1)));
  }
  return bundles;
}

/** Contents/Info.plist of `bundle`: not through a link, not a FIFO or device, not larger than the cap. */
async function readInfoPlist(bundle: string): Promise<Uint8Array> {
  const file = await open(path.join(bundle, 'Contents', 'Info.plist'), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const stat = await file.stat();
    if (!stat.isFile()) throw new Error('its Info.plist is not a regular file');
    if (stat.size > MAX_INFO_PLIST_BYTES) throw new Error(`its Info.plist is ${stat.size} bytes, more than ${MAX_INFO_PLIST_BYTES}`);
    const bytes = Buffer.alloc(stat.size);
    const { bytesRead } = await file.read(bytes, 0, stat.size, 0);
    return bytes.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}
