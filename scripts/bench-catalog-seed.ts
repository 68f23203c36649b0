// What `npm run bench:catalog` puts on its server: 1,000 apps with icons through the admin API, and a second device of
// the bench user for the endpoint benchmark.
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { AdminClient } from '../src/server/admin-api/admin-api-client';
import { ENROLL_SUBJECT, signDeviceToken } from '../src/shared/node/device-token';
import { generateP256PrivateKey } from '../src/shared/node/p256-key';
import { DEVICE_API_PREFIX } from '../src/shared/protocol';
import { DEMO_APPS, demoIcon } from './demo-catalog-art';

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

export function benchAppName(i: number): string {
  return `${ADJECTIVES[i % ADJECTIVES.length]} ${NOUNS[Math.floor(i / ADJECTIVES.length) % NOUNS.length]} ${i + 1}`;
}

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
export async function seedApps(admin: AdminClient, count: number): Promise<{ id: string; name: string }[]> {
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
export async function enrollSecondDevice(admin: AdminClient, serverUrl: string, userId: string): Promise<{ deviceId: string; privateKey: JsonWebKey }> {
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
  return { deviceId, privateKey: key.export({ format: 'jwk' }) };
}
