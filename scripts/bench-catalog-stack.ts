// The stack of `npm run bench:catalog`: a real server on SQLite in a temp data folder with 1,000 apps, one enrolled agent and its browser bridge.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from '../src/agent/core/ports';
import { createNodeAgent } from '../src/agent/service/node-agent';
import { startBrowserBridge } from '../src/agent/transport/browser-bridge-server';
import { AdminClient } from '../src/server/admin-api/admin-api-client';
import { startServer } from '../src/server/app/server-app';
import { ENROLL_SUBJECT, signDeviceToken } from '../src/shared/node/device-token';
import { generateP256PrivateKey } from '../src/shared/node/p256-key';
import { DEVICE_API_PREFIX } from '../src/shared/protocol';
import { distributeSystemDefaultToEveryone } from './demo-seed';
import { DEMO_APPS, demoIcon } from './demo-catalog-art';
import { buildRendererIfStale, RENDERER_DIST } from './renderer-build';

export const BENCH_USER = 'bench';
const ADJECTIVES = ['Swift', 'Quiet', 'Bright', 'Nimble', 'Solid', 'Clever', 'Lucid', 'Steady', 'Bold', 'Calm'];
/** 40 nouns: the search benchmark types each of them, so every search is a query the UI has not cached. */
export const NOUNS = [
  'Ledger', 'Harbor', 'Canvas', 'Beacon', 'Compass', 'Lantern', 'Orchard', 'Pebble', 'Quartz', 'Riddle',
  'Saddle', 'Timber', 'Vessel', 'Willow', 'Anchor', 'Bramble', 'Cinder', 'Dynamo', 'Falcon', 'Glacier',
  'Hollow', 'Island', 'Jigsaw', 'Kettle', 'Meadow', 'Nectar', 'Oracle', 'Parcel', 'Rocket', 'Signal',
  'Tundra', 'Umbra', 'Vortex', 'Wander', 'Yonder', 'Zephyr', 'Marble', 'Ember', 'Cobalt', 'Summit',
];
const CATEGORIES = ['Productivity', 'Developer Tools', 'Design', 'Communication', 'Security', 'Utilities', 'Finance', 'Education'];

export interface BenchStack {
  serverUrl: string;
  uiUrl: string;
  /** The apps as the admin API created them, in creation order. */
  apps: { id: string; name: string }[];
  /** Signs a token of a second device of the bench user, for the endpoint benchmark. */
  signDevice: () => Promise<string>;
  seedSeconds: number;
  stop(): Promise<void>;
}

export function benchAppName(i: number): string {
  return `${ADJECTIVES[i % ADJECTIVES.length]} ${NOUNS[Math.floor(i / ADJECTIVES.length) % NOUNS.length]} ${i + 1}`;
}

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Runs `work` over `items` with at most `width` at a time, in order of the items. */
async function pool<T, R>(items: T[], width: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]!, index);
      }
    }),
  );
  return results;
}

/** 1,000 apps through the admin API, each with one of 8 generated icons (uploads repeat the same content-addressed hashes), distributed to everyone. */
async function seedApps(admin: AdminClient, count: number): Promise<{ id: string; name: string }[]> {
  const icons = await Promise.all(DEMO_APPS.slice(0, 8).map((app) => demoIcon(app)));
  const indexes = Array.from({ length: count }, (_, i) => i);
  return pool(indexes, 8, async (i) => {
    const name = benchAppName(i);
    const created = await admin.call<{ id: string; name: string }>('POST', '/apps', {
      type: 'app-store',
      name,
      bundleId: `org.atwork.bench.app${i + 1}`,
      publisher: `Publisher ${(i % 25) + 1}`,
      category: CATEGORIES[i % CATEGORIES.length],
      version: `1.${i % 10}`,
      shortDescription: `Benchmark app number ${i + 1}.`,
      description: `App ${i + 1} of the catalog benchmark: a ${name.toLowerCase()} for the Mac.`,
      featured: i % 100 === 0,
      distribution: { kind: 'everyone' },
    });
    await admin.call('PUT', `/apps/${created.id}/icon`, icons[i % icons.length], { raw: true });
    return created;
  });
}

/** A second device of the bench user, enrolled through the device API with a key of its own (as scripts/demo-seed.ts enrolls reviewers). */
async function enrollSecondDevice(admin: AdminClient, serverUrl: string, userId: string): Promise<() => Promise<string>> {
  const { pin } = await admin.call<{ pin: string }>('POST', `/users/${userId}/registration-pins`, {});
  const key: KeyObject = generateP256PrivateKey();
  const device = { name: 'Bench Mac 2', osName: 'macOS', osVersion: '15.1', model: 'Mac15,3', serialNumber: null, agentVersion: '0.1.0' };
  const response = await fetch(`${serverUrl}${DEVICE_API_PREFIX}/enroll`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await signDeviceToken(key, ENROLL_SUBJECT)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ method: 'pin', username: BENCH_USER, pin, publicKey: createPublicKey(key).export({ format: 'jwk' }), device }),
  });
  if (!response.ok) throw new Error(`enrolling the second device: ${response.status} ${await response.text()}`);
  const { deviceId } = (await response.json()) as { deviceId: string };
  return () => signDeviceToken(key, deviceId);
}

/** Starts everything; on a failure half-way, stops what was started before rethrowing. */
export async function startBenchStack(appCount: number): Promise<BenchStack> {
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const step of stops.reverse().splice(0)) await step().catch((err: unknown) => console.error(`clean-up: ${String(err)}`));
  };
  try {
    await buildRendererIfStale();
    const dataDir = await mkdtemp(path.join(tmpdir(), 'atwork-bench-catalog-'));
    stops.push(() => rm(dataDir, { recursive: true, force: true }));
    // The UI benchmark sends a few hundred device calls a minute from one device; the fleet's default (120 a minute) would refuse them.
    const server = await startServer({ dataDir: path.join(dataDir, 'server'), deviceRateLimits: { perDevice: 1_000_000, perAddress: 1_000_000 } });
    stops.push(() => server.close());
    const serverUrl = await server.listen({ host: '127.0.0.1', port: 0 });
    const admin = new AdminClient(serverUrl, server.createdAdminToken!);

    const seedStart = performance.now();
    await distributeSystemDefaultToEveryone(admin);
    const user = await admin.call<{ id: string }>('POST', '/users', { username: BENCH_USER, displayName: 'Bench User' });
    const apps = await seedApps(admin, appCount);
    const seedSeconds = (performance.now() - seedStart) / 1000;

    const agent = createNodeAgent({ stateDir: path.join(dataDir, 'agent'), logger: quiet });
    const { pin } = await admin.call<{ pin: string }>('POST', `/users/${user.id}/registration-pins`, {});
    await agent.enroll({ serverUrl, username: BENCH_USER, pin });
    agent.start();
    stops.push(() => agent.stop());
    const bridge = await startBrowserBridge({ service: agent, staticDir: RENDERER_DIST });
    stops.push(() => bridge.close());
    const signDevice = await enrollSecondDevice(admin, serverUrl, user.id);
    return { serverUrl, uiUrl: bridge.url, apps, signDevice, seedSeconds, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
