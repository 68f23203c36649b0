// The agent's inventory in the background (issue 13): collected at start, then only hourly or after a finished install,
// its digest for check-ins, entries the server would refuse left out, and the list sent only when an answer asks.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build, buildBinary } from 'plist';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InstallProgress } from '../../src/shared/agent-service-contract';
import { InventoryRequestSchema, type CheckinResponse, type PackageReceipt } from '../../src/shared/protocol';
import { generateP256PrivateKey } from '../../src/shared/node/p256-key';
import { inventoryDigest, type InventorySources } from '../../src/agent/inventory/device-inventory';
import { INVENTORY_INTERVAL_MS, InventoryReporter } from '../../src/agent/inventory/inventory-reporter';
import { agentCheckinReceivers, CHECKIN_RECEIVERS, inventoryReceiver, type CheckinContext } from '../../src/agent/service/checkin-receivers';
import { DeviceApiClient } from '../../src/agent/transport/device-api-client';
import { FakeDeviceApi, recordingLogger } from './agent-test-kit';
import { FakeClock } from './scheduler-fake-clock';

const MINUTE = 60 * 1000;
const NOTES = { bundleId: 'com.example.notes', name: 'Notes', version: '2.1' };
const VAULT = { bundleId: 'com.example.vault', name: 'Vault', version: '7' };
const RECEIPT: PackageReceipt = { packageId: 'com.example.notes.pkg', version: '2.1', installedAt: '2026-11-30T08:00:00.000Z' };

let root: string;
let folder: string;
let clock: FakeClock;
let logger: ReturnType<typeof recordingLogger>;
let listeners: ((installs: InstallProgress[]) => void)[];
let collections: number;
let receipts: () => Promise<PackageReceipt[]>;

async function bundle(name: string, contents: string | Uint8Array): Promise<void> {
  await mkdir(path.join(folder, name, 'Contents'), { recursive: true });
  await writeFile(path.join(folder, name, 'Contents', 'Info.plist'), contents);
}

function reporter(withSources = true): InventoryReporter {
  const sources = async (): Promise<InventorySources> => {
    collections += 1;
    return { appFolders: [folder], receipts: () => receipts() };
  };
  const installs = { onInstallsChanged: (listener: (installs: InstallProgress[]) => void) => (listeners.push(listener), () => undefined) };
  return new InventoryReporter({ clock, logger, installs }, withSources ? { sources } : {});
}

function install(appId: string, endedAt: string | null): InstallProgress {
  return { appId, name: appId, version: '1.0', phase: endedAt === null ? 'downloading' : 'installed', receivedBytes: 0, totalBytes: 1, message: null, startedAt: '2026-12-01T10:00:00.000Z', endedAt };
}

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'atwork-inventory-reporter-'));
  folder = path.join(root, 'Applications');
  await bundle('Notes.app', build({ CFBundleIdentifier: NOTES.bundleId, CFBundleName: NOTES.name, CFBundleShortVersionString: NOTES.version }));
  clock = new FakeClock(new Date('2026-12-01T10:00:00Z'));
  logger = recordingLogger();
  listeners = [];
  collections = 0;
  receipts = async () => [RECEIPT];
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('inventory reporter', () => {
  it('collects at start, then again only after an hour or a finished install, and gives check-ins the digest', async () => {
    const inventory = reporter();
    expect(inventory.checkinFields()).toEqual({});
    inventory.start();
    await inventory.idle();
    expect(collections).toBe(1);
    expect(inventory.checkinFields()).toEqual({ inventoryDigest: inventoryDigest({ apps: [NOTES], receipts: [RECEIPT] }) });

    // A bundle that arrives is not seen before the next collection.
    await bundle('Vault.app', buildBinary({ CFBundleIdentifier: VAULT.bundleId, CFBundleName: VAULT.name, CFBundleVersion: VAULT.version }));
    await clock.advance(59 * MINUTE, () => inventory.idle());
    expect(collections).toBe(1);
    // Progress is no reason to look; an install that ended is, once.
    for (const listener of listeners) listener([install('app-1', null)]);
    await inventory.idle();
    expect(collections).toBe(1);
    for (const listener of listeners) listener([install('app-1', '2026-12-01T10:59:00.000Z')]);
    await inventory.idle();
    for (const listener of listeners) listener([install('app-1', '2026-12-01T10:59:00.000Z')]);
    await inventory.idle();
    expect(collections).toBe(2);
    expect(inventory.checkinFields()).toEqual({ inventoryDigest: inventoryDigest({ apps: [NOTES, VAULT], receipts: [RECEIPT] }) });

    // The hour runs from the latest collection, not from the start.
    await clock.advance(59 * MINUTE, () => inventory.idle());
    expect(collections).toBe(2);
    await clock.advance(MINUTE, () => inventory.idle());
    expect(collections).toBe(3);
    await inventory.stop();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('collects nothing without sources', async () => {
    const inventory = reporter(false);
    inventory.start();
    await inventory.idle();
    expect(collections).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
    expect(inventory.checkinFields()).toEqual({});
  });

  it('leaves out entries the server would refuse, and keeps the last inventory when a collection fails', async () => {
    receipts = async () => [RECEIPT, { packageId: 'com.example.bad', version: 'a\u0000b', installedAt: null }];
    const inventory = reporter();
    inventory.start();
    await inventory.idle();
    const kept = inventory.checkinFields();
    expect(kept).toEqual({ inventoryDigest: inventoryDigest({ apps: [NOTES], receipts: [RECEIPT] }) });

    receipts = async () => {
      throw new Error('pkgutil: command not found');
    };
    await clock.advance(INVENTORY_INTERVAL_MS, () => inventory.idle());
    expect(collections).toBe(2);
    expect(inventory.checkinFields()).toEqual(kept);
    expect(logger.lines.some((line) => line.message === 'collect the inventory failed')).toBe(true);
    await inventory.stop();
  });
});

describe('inventory check-in receiver', () => {
  const answer = (inventoryWanted: boolean): CheckinResponse => ({ agentConfig: null, scripts: [], commands: [], nextCheckinSeconds: 900, serverTime: '2026-12-01T10:00:00.000Z', inventoryWanted });

  it('sends the list with its digest only when the answer asks for it', async () => {
    const http = new FakeDeviceApi().on('POST', '/api/device/v1/inventory', () => ({ status: 200, body: { apps: 1, receipts: 1 } }));
    const api = new DeviceApiClient(http, clock, 'http://127.0.0.1:9', generateP256PrivateKey());
    const context = { api, state: () => ({ deviceId: 'device-1' }) } as unknown as CheckinContext;
    const inventory = reporter();
    const receiver = inventoryReceiver(inventory);
    // Nothing collected yet: nothing to send, even when asked.
    await receiver.receive(answer(true), context);
    inventory.start();
    await inventory.idle();
    await receiver.receive(answer(false), context);
    expect(http.requests).toHaveLength(0);
    await receiver.receive(answer(true), context);
    const [sent] = http.calls('POST', '/api/device/v1/inventory');
    expect(InventoryRequestSchema.parse(sent!.body)).toEqual({ apps: [NOTES], receipts: [RECEIPT], digest: inventory.checkinFields().inventoryDigest });
    await inventory.stop();
  });

  it('runs after the other receivers', () => {
    expect(agentCheckinReceivers(reporter()).map((r) => r.name)).toEqual([...CHECKIN_RECEIVERS.map((r) => r.name), 'inventory']);
  });
});
