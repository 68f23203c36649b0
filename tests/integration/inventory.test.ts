// Inventory over real HTTP (issue 13): a Node agent with a fixture Applications folder checks in with its digest, the
// server asks for the list, and the admin API shows the apps, a Packager app of the catalog as installed and its
// installedCount; a check-in with nothing changed sends no list; a bundle an install adds is reported after it.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'plist';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentService } from '../../src/agent/service/agent-service';
import { createNodeAgent } from '../../src/agent/service/node-agent';
import { AdminClient } from '../../src/server/admin-api/admin-api-client';
import { startServer, type AtworkServer } from '../../src/server/app/server-app';
import { waitFor } from '../support/wait-for';

interface DeviceDetails {
  inventory: { reportedAt: string | null; apps: number; receipts: number };
  inHouseApps: { name: string; bundleId: string; installed: boolean; installedVersion: string | null }[];
}

let dir: string;
let appsDir: string;
let server: AtworkServer;
let serverUrl: string;
let admin: AdminClient;
let toolId: string;
let zoomId: string;
let agent: AgentService | null = null;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function bundle(name: string, bundleId: string, version: string): Promise<void> {
  await mkdir(path.join(appsDir, `${name}.app`, 'Contents'), { recursive: true });
  await writeFile(path.join(appsDir, `${name}.app`, 'Contents', 'Info.plist'), build({ CFBundleIdentifier: bundleId, CFBundleName: name, CFBundleShortVersionString: version }));
}

async function installedCounts(): Promise<Record<string, number>> {
  const { apps } = await admin.call<{ apps: { name: string; installedCount: number }[] }>('GET', '/apps');
  return Object.fromEntries(apps.map((a) => [a.name, a.installedCount]));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'atwork-it-inventory-'));
  appsDir = path.join(dir, 'Applications');
  await bundle('Tool', 'com.example.tool', '3.2');
  await bundle('Notes', 'com.example.notes', '1.0');
  // Installs as a package does: the app's bundle appears in the Applications folder.
  const installer = path.join(dir, 'installer.sh');
  const plist = build({ CFBundleIdentifier: 'com.example.zoom', CFBundleName: 'Zoom', CFBundleShortVersionString: '6.0' });
  await writeFile(installer, `#!/bin/sh\nmkdir -p '${appsDir}/Zoom.app/Contents'\ncat > '${appsDir}/Zoom.app/Contents/Info.plist' <<'PLIST'\n${plist}\nPLIST\n`);
  await chmod(installer, 0o755);
  process.env.ATWORK_TEST_INSTALLER = installer;
  process.env.ATWORK_INVENTORY_APP_DIRS = appsDir;
  server = await startServer({ dataDir: path.join(dir, 'server') });
  serverUrl = await server.listen({ host: '127.0.0.1', port: 0 });
  admin = new AdminClient(serverUrl, server.createdAdminToken!);
  const app = (body: object) =>
    admin.call<{ id: string }>('POST', '/apps', { category: 'Productivity', version: '1.0', publisher: 'Example', distribution: { kind: 'everyone' }, ...body });
  toolId = (await app({ type: 'packager', name: 'Tool', bundleId: 'com.example.tool' })).id;
  zoomId = (await app({ type: 'pkg', name: 'Zoom', bundleId: 'com.example.zoom' })).id;
  await admin.call('PUT', `/apps/${zoomId}/package`, Buffer.from('zoom package'), { raw: true });
});

afterAll(async () => {
  await agent?.stop();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
  delete process.env.ATWORK_TEST_INSTALLER;
  delete process.env.ATWORK_INVENTORY_APP_DIRS;
});

describe('inventory', () => {
  it('sends the list when the server asks, not again while nothing changed, and again after an install adds a bundle', async () => {
    const { id: userId } = await admin.call<{ id: string }>('POST', '/users', { username: 'dev', displayName: 'Developer' });
    const { pin } = await admin.call<{ pin: string }>('POST', `/users/${userId}/registration-pins`, {});
    agent = createNodeAgent({ stateDir: path.join(dir, 'mac'), logger: quiet });
    const { deviceId } = await agent.enroll({ serverUrl, username: 'dev', pin });
    const details = () => admin.call<DeviceDetails>('GET', `/devices/${deviceId}`);
    expect((await details()).inventory).toEqual({ reportedAt: null, apps: 0, receipts: 0 });
    agent.start();

    // The first check-in may go before the first collection ends; one after it carries the digest and is asked for the list.
    const first = await waitFor('the first inventory', async () => {
      await agent!.checkInNow();
      const device = await details();
      return device.inventory.reportedAt === null ? undefined : device;
    });
    const { apps } = await admin.call<{ apps: { bundleId: string; name: string; version: string | null }[] }>('GET', `/devices/${deviceId}/apps`);
    expect(apps).toEqual([
      expect.objectContaining({ bundleId: 'com.example.notes', name: 'Notes', version: '1.0' }),
      expect.objectContaining({ bundleId: 'com.example.tool', name: 'Tool', version: '3.2' }),
    ]);
    expect(first.inHouseApps).toEqual([{ appId: toolId, name: 'Tool', bundleId: 'com.example.tool', installed: true, installedVersion: '3.2' }]);
    expect(await installedCounts()).toEqual({ Tool: 1, Zoom: 0 });
    // The device's own catalog says the same.
    const catalog = await agent.getCatalog({ limit: 50, offset: 0 });
    expect(catalog.apps.find((a) => a.id === toolId)?.installState).toBe('installed');

    // Nothing changed: the check-ins carry the same digest and no list is sent, so the report time stands.
    await agent.checkInNow();
    await agent.checkInNow();
    expect((await details()).inventory.reportedAt).toBe(first.inventory.reportedAt);

    // An install that ends makes the agent look again; the next check-in's digest differs and the new list goes.
    await agent.installApp(zoomId);
    await waitFor('the install', async () => ((await agent!.getInstalls()).some((i) => i.appId === zoomId && i.phase === 'installed') ? true : undefined));
    const later = await waitFor('the inventory with Zoom', async () => {
      await agent!.checkInNow();
      const device = await details();
      return device.inventory.apps === 3 ? device : undefined;
    });
    expect(later.inventory.reportedAt! > first.inventory.reportedAt!).toBe(true);
    const { apps: now } = await admin.call<{ apps: { bundleId: string }[] }>('GET', `/devices/${deviceId}/apps?q=zoom`);
    expect(now.map((a) => a.bundleId)).toEqual(['com.example.zoom']);
    expect(await installedCounts()).toEqual({ Tool: 1, Zoom: 1 });
  });
});
