// Inventory on both databases (issue 13): a check-in's digest decides whether the server asks for the list, the list
// (apps and receipts) replaces the stored one with its digest, bad reports are 4xx, and each app counts its installs.
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CATALOG_PATH, RETIRE_PATH } from '../../src/shared/catalog-protocol';
import { CheckinResponseSchema, DEVICE_API_PREFIX, MAX_INVENTORY_APPS } from '../../src/shared/protocol';
import { BACKENDS } from '../support/test-databases';
import { createApp } from './catalog-fixture';
import { TestServer, type DeviceKeys } from './server-fixture';

interface Device {
  deviceId: string;
  keys: DeviceKeys;
}

const digestOf = (text: string) => createHash('sha256').update(text).digest('hex');
const FIRST = digestOf('first inventory');
const SECOND = digestOf('second inventory');
const APPS = [
  { bundleId: 'com.example.tool', name: 'Tool', version: '2.1' },
  { bundleId: 'com.apple.Safari', name: 'Safari', version: '18.1' },
];
const RECEIPTS = [
  { packageId: 'com.example.tool.pkg', version: '2.1', installedAt: '2026-11-30T09:15:00+01:00' },
  { packageId: 'com.apple.pkg.Core', version: '15.1', installedAt: null },
];

describe.each(BACKENDS)('inventory on %s', (backend) => {
  let t: TestServer;
  beforeEach(async () => {
    t = await TestServer.start({ backend });
  });
  afterEach(async () => {
    await t.stop();
  });

  async function checkIn(d: Device, inventoryDigest?: string): Promise<boolean> {
    const response = await t.device(d.keys, d.deviceId, 'POST', '/checkin', { agentVersion: '0.5.0', osVersion: '15.3', ...(inventoryDigest === undefined ? {} : { inventoryDigest }) });
    expect(response.statusCode, response.body).toBe(200);
    return CheckinResponseSchema.parse(response.json()).inventoryWanted;
  }

  const report = (d: Device, body: unknown) => t.device(d.keys, d.deviceId, 'POST', '/inventory', body);

  it('asks for the list while the check-in digest differs from the stored one, and not once it is stored', async () => {
    const d = await t.enrolledDevice('alice');
    // An older agent sends no digest: nothing to compare, nothing asked.
    expect(await checkIn(d)).toBe(false);
    // Nothing stored yet.
    expect(await checkIn(d, FIRST)).toBe(true);
    const stored = await report(d, { apps: APPS, receipts: RECEIPTS, digest: FIRST });
    expect(stored.statusCode, stored.body).toBe(200);
    expect(stored.json()).toEqual({ apps: 2, receipts: 2 });
    expect(await checkIn(d, FIRST)).toBe(false);
    expect(await checkIn(d, SECOND)).toBe(true);

    const details = await t.adminOk<{ inventory: { reportedAt: string | null; apps: number; receipts: number } }>('GET', `/devices/${d.deviceId}`);
    expect(details.inventory).toEqual({ reportedAt: expect.any(String), apps: 2, receipts: 2 });
    const apps = await t.adminOk<{ apps: { bundleId: string }[]; reportedAt: string }>('GET', `/devices/${d.deviceId}/apps`);
    expect(apps.apps.map((a) => a.bundleId)).toEqual(['com.apple.Safari', 'com.example.tool']);
    expect(apps.reportedAt).toBe(details.inventory.reportedAt);
    const receipts = await t.adminOk<{ receipts: unknown[]; reportedAt: string }>('GET', `/devices/${d.deviceId}/receipts`);
    // By package id; the install time in UTC whatever offset the device sent.
    expect(receipts.receipts).toEqual([
      { packageId: 'com.apple.pkg.Core', version: '15.1', installedAt: null },
      { packageId: 'com.example.tool.pkg', version: '2.1', installedAt: '2026-11-30T08:15:00.000Z' },
    ]);
    expect(receipts.reportedAt).toBe(details.inventory.reportedAt);
    expect((await t.adminOk<{ receipts: unknown[] }>('GET', `/devices/${d.deviceId}/receipts?q=CORE`)).receipts).toHaveLength(1);

    // A device another device's digest means nothing to: each device is compared with its own.
    const other = await t.enrolledDevice('bob');
    expect(await checkIn(other, FIRST)).toBe(true);
  });

  it('replaces apps and receipts as a whole with each report, and an apps-only report leaves no digest', async () => {
    const d = await t.enrolledDevice('alice');
    await report(d, { apps: APPS, receipts: RECEIPTS, digest: FIRST });
    const next = await report(d, { apps: [APPS[0]], receipts: [{ packageId: 'org.example.new', version: null, installedAt: '2026-12-01T10:00:00Z' }], digest: SECOND });
    expect(next.json()).toEqual({ apps: 1, receipts: 1 });
    expect((await t.adminOk<{ receipts: { packageId: string }[] }>('GET', `/devices/${d.deviceId}/receipts`)).receipts.map((r) => r.packageId)).toEqual(['org.example.new']);
    expect(await checkIn(d, SECOND)).toBe(false);

    // An agent from before issue 13 reports apps alone: they replace the list, and the stored digest no longer holds.
    expect((await report(d, { apps: APPS })).json()).toEqual({ apps: 2, receipts: 0 });
    expect(await checkIn(d, SECOND)).toBe(true);
    const rows = await t.query((db) => db.selectFrom('device_package_receipts').selectAll().where('device_id', '=', d.deviceId).execute());
    expect(rows).toEqual([]);
  });

  it('refuses a bad digest or receipt with a 400 and one sentence, and stores nothing of that report', async () => {
    const d = await t.enrolledDevice('alice');
    await report(d, { apps: APPS, receipts: RECEIPTS, digest: FIRST });
    const receipt = RECEIPTS[1]!;
    const tooMany = Array.from({ length: MAX_INVENTORY_APPS + 1 }, (_, i) => ({ ...receipt, packageId: `p${i}` }));
    for (const [what, body] of [
      ['an upper-case digest', { apps: [], receipts: [], digest: FIRST.toUpperCase() }],
      ['a short digest', { apps: [], receipts: [], digest: 'abc' }],
      ['an empty package id', { apps: [], receipts: [{ ...receipt, packageId: '' }], digest: SECOND }],
      ['a NUL in a package id', { apps: [], receipts: [{ ...receipt, packageId: 'a\u0000b' }], digest: SECOND }],
      ['a long version', { apps: [], receipts: [{ ...receipt, version: 'v'.repeat(101) }], digest: SECOND }],
      ['an install time that is no time', { apps: [], receipts: [{ ...receipt, installedAt: 'yesterday' }], digest: SECOND }],
      ['receipts that are not a list', { apps: [], receipts: 'x', digest: SECOND }],
      ['too many receipts', { apps: [], receipts: tooMany, digest: SECOND }],
    ] as const) {
      const response = await report(d, body);
      expect(response.statusCode, what).toBe(400);
      expect(response.json<{ message: string }>().message, what).toMatch(/^[^\n]+\.$/);
    }
    const badCheckin = await t.device(d.keys, d.deviceId, 'POST', '/checkin', { agentVersion: '0.5.0', osVersion: '15.3', inventoryDigest: 'not hex' });
    expect(badCheckin.statusCode).toBe(400);
    expect(await checkIn(d, FIRST)).toBe(false);
    expect((await t.adminOk<{ inventory: { receipts: number } }>('GET', `/devices/${d.deviceId}`)).inventory.receipts).toBe(2);
  });

  it("counts each app's installs: a report that says installed, else an inventory that lists its bundle id", async () => {
    const tool = await createApp(t, { name: 'Tool', bundleId: 'com.example.tool', type: 'packager' });
    const notes = await createApp(t, { name: 'Notes', bundleId: 'com.example.notes', type: 'pkg' });
    const hidden = await createApp(t, { name: 'Hidden', bundleId: 'com.apple.Safari', type: 'packager', distribution: { kind: 'none' } });
    const alice = await t.enrolledDevice('alice');
    const bob = await t.enrolledDevice('bob');
    const carol = await t.enrolledDevice('carol');
    const counts = async () => {
      const { apps } = await t.adminOk<{ apps: { id: string; installedCount: number }[] }>('GET', '/apps');
      return Object.fromEntries(apps.map((a) => [a.id, a.installedCount]));
    };
    expect(await counts()).toEqual({ [tool.id]: 0, [notes.id]: 0, [hidden.id]: 0 });

    await report(alice, { apps: APPS, receipts: [], digest: FIRST });
    await report(bob, { apps: [APPS[0]], receipts: [], digest: FIRST });
    const installReport = (d: Device, appId: string, state: string) =>
      t.device(d.keys, d.deviceId, 'POST', `${CATALOG_PATH.slice(DEVICE_API_PREFIX.length)}/apps/${appId}/install-report`, { state, version: '1.0', at: new Date().toISOString(), message: null });
    expect((await installReport(carol, notes.id, 'installed')).statusCode).toBe(204);
    // Bob's inventory lists Tool but his latest report says it failed: counted as the device's catalog shows it, not installed.
    expect((await installReport(bob, tool.id, 'failed')).statusCode).toBe(204);
    // The inventory counts whatever the distribution: Hidden's bundle id is on Alice's Mac.
    expect(await counts()).toEqual({ [tool.id]: 1, [notes.id]: 1, [hidden.id]: 1 });
    expect((await t.adminOk<{ installedCount: number }>('GET', `/apps/${tool.id}`)).installedCount).toBe(1);

    // Alice's details list the Packager apps of her catalog with whether her inventory has them.
    const details = await t.adminOk<{ inHouseApps: unknown[] }>('GET', `/devices/${alice.deviceId}`);
    expect(details.inHouseApps).toEqual([{ appId: tool.id, name: 'Tool', bundleId: 'com.example.tool', installed: true, installedVersion: '2.1' }]);
    expect((await t.adminOk<{ inHouseApps: { installed: boolean }[] }>('GET', `/devices/${carol.deviceId}`)).inHouseApps).toEqual([expect.objectContaining({ appId: tool.id, installed: false })]);

    // A retired device is no longer counted.
    expect((await t.device(alice.keys, alice.deviceId, 'POST', RETIRE_PATH.slice(DEVICE_API_PREFIX.length), { reason: 'Returned.' })).statusCode).toBe(200);
    expect(await counts()).toEqual({ [tool.id]: 0, [notes.id]: 1, [hidden.id]: 0 });
  });
});
