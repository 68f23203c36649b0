// Seeds the demo tenant of `npm start`: the system default agent configuration to everyone, a "hello" script run once, and the Apps@Work catalog.
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { AdminClient } from '../src/server/admin-api/admin-api-client';
import { CATALOG_PATH } from '../src/shared/catalog-protocol';
import { ENROLL_SUBJECT, signDeviceToken } from '../src/shared/node/device-token';
import { generateP256PrivateKey } from '../src/shared/node/p256-key';
import { DEVICE_API_PREFIX } from '../src/shared/protocol';
import { DEMO_APPS, demoIcon, demoPackage, demoScreenshots, type DemoApp } from './demo-catalog-art';

export const DEMO_USERNAME = 'demo';
export const DEMO_SCRIPT_NAME = 'hello';
const DEMO_SCRIPT = `#!/bin/bash
# Demo script seeded by npm start: proves the signed delivery path end to end.
echo "Hello from Atwork on $(uname -s) at $(date -u +%Y-%m-%dT%H:%M:%SZ)"
`;

interface Named {
  id: string;
  name: string;
}

/** Distributes the system default agent configuration to everyone, unless it already is. */
export async function distributeSystemDefaultToEveryone(admin: AdminClient): Promise<void> {
  const { agentConfigurations } = await admin.call<{ agentConfigurations: (Named & { systemDefault: boolean; distribution: { kind: string } })[] }>(
    'GET',
    '/agent-configurations',
  );
  const systemDefault = agentConfigurations.find((c) => c.systemDefault);
  if (!systemDefault) throw new Error('the server has no system default agent configuration');
  if (systemDefault.distribution.kind !== 'everyone') {
    await admin.call('PUT', `/agent-configurations/${systemDefault.id}/distribution`, { kind: 'everyone' });
  }
}

/** Idempotent: a second start finds the demo in place and changes nothing. */
export async function seedDemo(admin: AdminClient): Promise<void> {
  const { users } = await admin.call<{ users: { username: string }[] }>('GET', '/users');
  if (!users.some((u) => u.username === DEMO_USERNAME)) {
    await admin.call('POST', '/users', { username: DEMO_USERNAME, displayName: 'Demo User' });
  }

  await distributeSystemDefaultToEveryone(admin);

  const { scripts } = await admin.call<{ scripts: Named[] }>('GET', '/scripts');
  if (!scripts.some((s) => s.name === DEMO_SCRIPT_NAME)) {
    const script = await admin.call<Named>('POST', '/scripts', { name: DEMO_SCRIPT_NAME, type: 'bash', runAsRoot: false, body: DEMO_SCRIPT });
    await admin.call('POST', '/script-configurations', {
      name: 'Say hello once',
      scriptId: script.id,
      schedule: { kind: 'once' },
      distribution: { kind: 'everyone' },
    });
  }
  await seedDemoCatalog(admin);
}

/** Adds one demo app with its generated icon, screenshots and, for the pkg app, its package, all through the admin API. */
async function addDemoApp(admin: AdminClient, app: DemoApp): Promise<Named> {
  const { colours: _colours, screens: _screens, ...fields } = app;
  const [icon, screenshots] = await Promise.all([demoIcon(app), demoScreenshots(app)]);
  const created = await admin.call<Named>('POST', '/apps', { type: 'pkg', ...fields, silentInstall: app.type === 'pkg', distribution: { kind: 'everyone' } });
  await admin.call('PUT', `/apps/${created.id}/icon`, icon, { raw: true });
  for (const s of screenshots) await admin.call('POST', `/apps/${created.id}/screenshots?caption=${encodeURIComponent(s.caption)}`, s.png, { raw: true });
  if ((app.type ?? 'pkg') === 'pkg') await admin.call('PUT', `/apps/${created.id}/package`, demoPackage(app), { raw: true });
  return created;
}

/** People who reviewed the demo apps, each from a Mac of their own enrolled through the device API: reviews come only from devices. */
const REVIEWERS: { username: string; displayName: string; reviews: [string, number, string, string][] }[] = [
  {
    username: 'sam.rivera',
    displayName: 'Sam Rivera',
    reviews: [
      ['org.atwork.demo.notes', 5, 'My second brain', 'Fast, simple and it never loses a note.'],
      ['org.atwork.demo.codeharbor', 4, 'Great editor', 'Opens our monorepo in seconds. Wish the Git view had blame.'],
      ['org.atwork.demo.vaultkeeper', 5, 'Sharing done right', 'Sharing the on-call vault with the team took a minute.'],
    ],
  },
  {
    username: 'priya.shah',
    displayName: 'Priya Shah',
    reviews: [
      ['org.atwork.demo.notes', 4, 'Solid', 'Does what it says. Boards are handy for planning.'],
      ['org.atwork.demo.palette', 5, 'Contrast checks!', 'The contrast warnings saved our design review.'],
      ['org.atwork.demo.disktidy', 3, 'Useful, a bit slow', 'Found 40 GB of old downloads, but the first scan takes a while.'],
    ],
  },
  {
    username: 'lee.chen',
    displayName: 'Lee Chen',
    reviews: [
      ['org.atwork.demo.chatterbox', 4, 'Threads keep it calm', 'Much less noise than our old chat.'],
      ['org.atwork.demo.codeharbor', 5, 'Daily driver', 'The built-in terminal is all I need.'],
    ],
  },
];

/** Enrolls a reviewer's Mac with a fresh key; returns a function that signs its device calls. */
async function enrollReviewer(admin: AdminClient, reviewer: (typeof REVIEWERS)[number]): Promise<(method: string, path: string, body: unknown) => Promise<void>> {
  const user = await admin.call<Named>('POST', '/users', { username: reviewer.username, displayName: reviewer.displayName });
  const { pin } = await admin.call<{ pin: string }>('POST', `/users/${user.id}/registration-pins`, {});
  const key: KeyObject = generateP256PrivateKey();
  const deviceApi = `${admin.serverUrl.replace(/\/+$/, '')}${DEVICE_API_PREFIX}`;
  const send = async (path: string, token: string, method: string, body: unknown) => {
    const response = await fetch(`${deviceApi}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`${method} ${path} for ${reviewer.username}: the server answered ${response.status}: ${await response.text()}`);
    return response;
  };
  const device = { name: `${reviewer.displayName}'s Mac`, osName: 'macOS', osVersion: '15.1', model: 'Mac15,3', serialNumber: null, agentVersion: '0.1.0' };
  const enrolled = await send('/enroll', await signDeviceToken(key, ENROLL_SUBJECT), 'POST', { method: 'pin', username: reviewer.username, pin, publicKey: createPublicKey(key).export({ format: 'jwk' }), device });
  const { deviceId } = (await enrolled.json()) as { deviceId: string };
  return async (method, path, body) => {
    await send(path, await signDeviceToken(key, deviceId), method, body);
  };
}

/** Idempotent like the rest: apps whose bundle id is there already are left as they are, and so are reviewers who exist. */
async function seedDemoCatalog(admin: AdminClient): Promise<void> {
  const { apps } = await admin.call<{ apps: (Named & { bundleId: string })[] }>('GET', '/apps?limit=1000');
  const ids = new Map(apps.map((a) => [a.bundleId, a.id]));
  const missing = DEMO_APPS.filter((a) => !ids.has(a.bundleId));
  for (const created of await Promise.all(missing.map((app) => addDemoApp(admin, app).then((c) => [app.bundleId, c.id] as const)))) ids.set(...created);

  const { users } = await admin.call<{ users: { username: string }[] }>('GET', '/users?limit=1000');
  const catalog = CATALOG_PATH.slice(DEVICE_API_PREFIX.length);
  for (const reviewer of REVIEWERS.filter((r) => !users.some((u) => u.username === r.username))) {
    const call = await enrollReviewer(admin, reviewer);
    for (const [bundleId, rating, title, text] of reviewer.reviews) {
      const appId = ids.get(bundleId);
      if (appId !== undefined) await call('PUT', `${catalog}/apps/${appId}/review`, { rating, title, text });
    }
  }
}

/** A fresh registration PIN for the demo user. */
export async function demoPin(admin: AdminClient): Promise<string> {
  const { users } = await admin.call<{ users: (Named & { username: string })[] }>('GET', '/users');
  const user = users.find((u) => u.username === DEMO_USERNAME);
  if (!user) throw new Error('the demo user is missing; seed the demo first');
  const { pin } = await admin.call<{ pin: string }>('POST', `/users/${user.id}/registration-pins`, {});
  return pin;
}

/** ATWORK_DEMO_ONBOARDING: onboarding on in the system default agent configuration, with a landing page. */
export async function enableDemoOnboarding(admin: AdminClient): Promise<void> {
  const { agentConfigurations } = await admin.call<{ agentConfigurations: (Named & { systemDefault: boolean })[] }>('GET', '/agent-configurations');
  const systemDefault = agentConfigurations.find((c) => c.systemDefault);
  if (!systemDefault) throw new Error('the server has no system default agent configuration');
  await admin.call('PATCH', `/agent-configurations/${systemDefault.id}`, { onboarding: { enabled: true, timeoutSeconds: 120, landingPageUrl: 'https://example.com/' } });
}

/** An enrollment token for the demo user, as an administrator makes one for the PKG of an automated enrollment. */
export async function demoEnrollmentToken(admin: AdminClient): Promise<string> {
  const { users } = await admin.call<{ users: (Named & { username: string })[] }>('GET', '/users');
  const user = users.find((u) => u.username === DEMO_USERNAME);
  if (!user) throw new Error('the demo user is missing; seed the demo first');
  const { token } = await admin.call<{ token: string }>('POST', '/enrollment-tokens', { name: 'Demo onboarding', userId: user.id, ttlSeconds: 3600 });
  return token;
}
