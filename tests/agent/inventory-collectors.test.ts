// The inventory's collectors on fixture bundles: XML and binary Info.plists, the names Finder shows, bundles in a
// subfolder, what is left out (a link, a FIFO, an oversized or broken plist) and why; pkgutil's receipts through a
// recording fake; dpkg's status file; and a digest that depends on the apps, not on the order they were found in.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build, buildBinary } from 'plist';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectAppBundles } from '../../src/agent/inventory/app-bundles';
import { inventoryDigest } from '../../src/agent/inventory/device-inventory';
import { receiptsOfDpkgStatus } from '../../src/agent/inventory/dpkg-packages';
import { appOfInfoPlist, MAX_INFO_PLIST_BYTES } from '../../src/agent/inventory/info-plist';
import { collectPackageReceipts, receiptOfPkgInfo } from '../../src/agent/inventory/package-receipts';
import type { CommandOutput } from '../../src/agent/runner/local-users';

let root: string;
const warnings: { bundle?: unknown; reason?: unknown }[] = [];
const logger = { warn: (_message: string, fields?: Record<string, unknown>) => void warnings.push(fields ?? {}) };

async function bundle(folder: string, name: string, contents: string | Uint8Array): Promise<void> {
  await mkdir(path.join(folder, name, 'Contents'), { recursive: true });
  await writeFile(path.join(folder, name, 'Contents', 'Info.plist'), contents);
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'atwork-inventory-'));
  const apps = path.join(root, 'Applications');
  await bundle(apps, 'Notes.app', build({ CFBundleIdentifier: 'com.example.notes', CFBundleName: 'Notes', CFBundleDisplayName: 'Atwork Notes', CFBundleShortVersionString: '2.1', CFBundleVersion: '210' }));
  await bundle(apps, 'Vault.app', buildBinary({ CFBundleIdentifier: 'com.example.vault', CFBundleName: 'Vault Keeper', CFBundleVersion: '7' }));
  await bundle(path.join(apps, 'Utilities'), 'Console.app', buildBinary({ CFBundleIdentifier: 'com.apple.Console', CFBundleShortVersionString: '1.1' }));
  await bundle(apps, 'Broken.app', 'bplist00 not really');
  await bundle(apps, 'NoId.app', build({ CFBundleName: 'No id' }));
  await bundle(apps, 'Huge.app', Buffer.alloc(MAX_INFO_PLIST_BYTES + 1, 0x20));
  await mkdir(path.join(apps, 'Fifo.app', 'Contents'), { recursive: true });
  execFileSync('mkfifo', [path.join(apps, 'Fifo.app', 'Contents', 'Info.plist')]);
  await mkdir(path.join(apps, 'Linked.app', 'Contents'), { recursive: true });
  await symlink(path.join(apps, 'Notes.app', 'Contents', 'Info.plist'), path.join(apps, 'Linked.app', 'Contents', 'Info.plist'));
  await symlink(path.join(apps, 'Vault.app'), path.join(apps, 'Alias.app'));
  const home = path.join(root, 'home', 'Applications');
  await bundle(home, 'Notes.app', build({ CFBundleIdentifier: 'com.example.notes', CFBundleName: 'Old Notes', CFBundleShortVersionString: '1.0' }));
  await bundle(home, 'Sketch.app', build({ CFBundleIdentifier: 'com.example.sketch', CFBundleShortVersionString: '99' }));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('Info.plist', () => {
  it('reads XML and binary plists, with the name Finder shows and the marketing version', () => {
    expect(appOfInfoPlist(Buffer.from(build({ CFBundleIdentifier: 'a.b', CFBundleName: 'B', CFBundleDisplayName: 'Bee', CFBundleShortVersionString: '1.0', CFBundleVersion: '9' })), 'X.app')).toEqual({ bundleId: 'a.b', name: 'Bee', version: '1.0' });
    expect(appOfInfoPlist(buildBinary({ CFBundleIdentifier: 'a.c', CFBundleVersion: '9' }), 'Sea.app')).toEqual({ bundleId: 'a.c', name: 'Sea', version: '9' });
  });

  it('refuses what is no app in one sentence', () => {
    expect(() => appOfInfoPlist(Buffer.from(build(['a list'])), 'X.app')).toThrow('the plist is not a dictionary');
    expect(() => appOfInfoPlist(Buffer.from(build({ CFBundleName: 'B' })), 'X.app')).toThrow('the plist has no CFBundleIdentifier');
    expect(() => appOfInfoPlist(Buffer.from('<plist><dict><key>a</key>'), 'X.app')).toThrow(/^the plist cannot be read: /);
    expect(() => appOfInfoPlist(Buffer.from(build({ CFBundleIdentifier: 'x'.repeat(300) })), 'X.app')).toThrow(/^the plist's bundleId is not usable: /);
    expect(() => appOfInfoPlist(Buffer.alloc(MAX_INFO_PLIST_BYTES + 1), 'X.app')).toThrow('more than the 1048576 an Info.plist may have');
  });
});

describe('app bundles', () => {
  it('lists the bundles of the Applications folders and their subfolders, the first folder winning a bundle id', async () => {
    warnings.length = 0;
    const apps = await collectAppBundles([path.join(root, 'Applications'), path.join(root, 'home', 'Applications'), path.join(root, 'missing')], logger);
    expect(apps).toEqual([
      { bundleId: 'com.apple.Console', name: 'Console', version: '1.1' },
      { bundleId: 'com.example.notes', name: 'Atwork Notes', version: '2.1' },
      { bundleId: 'com.example.sketch', name: 'Sketch', version: '99' },
      { bundleId: 'com.example.vault', name: 'Vault Keeper', version: '7' },
    ]);
  });

  it('leaves out, and logs, a broken plist, one without an id, an oversized one, a FIFO and a link; a linked bundle is not followed', async () => {
    warnings.length = 0;
    await collectAppBundles([path.join(root, 'Applications')], logger);
    const reasons = Object.fromEntries(warnings.map((warning) => [path.basename(String(warning.bundle)), String(warning.reason)]));
    expect(Object.keys(reasons).sort()).toEqual(['Broken.app', 'Fifo.app', 'Huge.app', 'Linked.app', 'NoId.app']);
    expect(reasons['Broken.app']).toMatch(/^the plist cannot be read: /);
    expect(reasons['NoId.app']).toBe('the plist has no CFBundleIdentifier');
    expect(reasons['Huge.app']).toBe(`its Info.plist is ${MAX_INFO_PLIST_BYTES + 1} bytes, more than ${MAX_INFO_PLIST_BYTES}`);
    expect(reasons['Fifo.app']).toBe('its Info.plist is not a regular file');
    expect(reasons['Linked.app']).toMatch(/ELOOP/);
  });
});

describe('package receipts', () => {
  const PKG_INFO: Record<string, string> = {
    'org.atwork.agent': 'package-id: org.atwork.agent\nversion: 0.1.0\nvolume: /\nlocation: /\ninstall-time: 1764662400\n',
    'com.example.office': 'package-id: com.example.office\nversion: 16.90\nvolume: /\nlocation: Applications\ninstall-time: 1764576000\n',
  };

  it('asks pkgutil for the packages and each one\'s info, and passes no odd line back to it', async () => {
    const asked: string[][] = [];
    const run: CommandOutput = async (command, args) => {
      asked.push([command, ...args]);
      if (args[0] === '--pkgs') return 'org.atwork.agent\ncom.example.office\n--evil-flag\ncom.example.gone\n';
      const info = PKG_INFO[args[1]!];
      if (info === undefined) throw new Error('No receipt for \'com.example.gone\' found at \'/\'.');
      return info;
    };
    warnings.length = 0;
    expect(await collectPackageReceipts(run, logger)).toEqual([
      { packageId: 'com.example.office', version: '16.90', installedAt: '2025-12-01T08:00:00.000Z' },
      { packageId: 'org.atwork.agent', version: '0.1.0', installedAt: '2025-12-02T08:00:00.000Z' },
    ]);
    expect(asked.map((args) => args.join(' ')).sort()).toEqual(['pkgutil --pkg-info com.example.gone', 'pkgutil --pkg-info com.example.office', 'pkgutil --pkg-info org.atwork.agent', 'pkgutil --pkgs']);
    expect(warnings).toEqual([{ packageId: 'com.example.gone', reason: "No receipt for 'com.example.gone' found at '/'." }]);
  });

  it('reads no receipt without a usable package id', () => {
    expect(receiptOfPkgInfo('version: 1\n')).toBeNull();
    expect(receiptOfPkgInfo('package-id: ../x\n')).toBeNull();
    expect(receiptOfPkgInfo('package-id: a.b\ninstall-time: soon\n')).toEqual({ packageId: 'a.b', version: null, installedAt: null });
  });

  it('reads dpkg\'s installed packages off macOS, not the removed ones', () => {
    const status = 'Package: zsh\nStatus: install ok installed\nVersion: 5.9-4\n\nPackage: old\nStatus: deinstall ok config-files\nVersion: 1\n\nPackage: bash\nStatus: install ok installed\nVersion: 5.2.15-2\n';
    expect(receiptsOfDpkgStatus(status)).toEqual([
      { packageId: 'deb.bash', version: '5.2.15-2', installedAt: null },
      { packageId: 'deb.zsh', version: '5.9-4', installedAt: null },
    ]);
  });
});

describe('the inventory digest', () => {
  const a = { bundleId: 'com.example.a', name: 'A', version: '1' };
  const b = { bundleId: 'com.example.b', name: 'B', version: null };
  const receipt = { packageId: 'org.atwork.agent', version: '0.1.0', installedAt: null };

  it('is the same for the same inventory in any order, and differs when anything in it does', () => {
    const digest = inventoryDigest({ apps: [a, b], receipts: [receipt] });
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(inventoryDigest({ apps: [b, a], receipts: [receipt] })).toBe(digest);
    expect(inventoryDigest({ apps: [a, { ...b, version: '2' }], receipts: [receipt] })).not.toBe(digest);
    expect(inventoryDigest({ apps: [a], receipts: [receipt] })).not.toBe(digest);
    expect(inventoryDigest({ apps: [a, b], receipts: [] })).not.toBe(digest);
  });
});
