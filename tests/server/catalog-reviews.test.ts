// Apps@Work on a device: the catalog's paging, search and categories, one review per user per app with hidden ones left out, and retire.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG_PATH, RETIRE_PATH, type AppDetails, type CatalogPage, type Review, type ReviewPage } from '../../src/shared/catalog-protocol';
import { DEVICE_API_PREFIX } from '../../src/shared/protocol';
import { createApp, deviceCall, type Device } from './catalog-fixture';
import { TestServer } from './server-fixture';

const APPS = CATALOG_PATH.slice(DEVICE_API_PREFIX.length) + '/apps';

describe('the catalog of a device', () => {
  let t: TestServer;
  let alice: Device;
  let bob: Device;
  let carol: Device;
  let notesId: string;
  beforeAll(async () => {
    t = await TestServer.start();
    alice = await t.enrolledDevice('alice');
    bob = await t.enrolledDevice('bob');
    carol = await t.enrolledDevice('carol');
    const { id: groupId } = await t.adminOk<{ id: string }>('POST', '/device-groups', { name: 'Designers' });
    await t.adminOk('POST', `/device-groups/${groupId}/members`, { ids: [alice.deviceId] });
    ({ id: notesId } = await createApp(t, { name: 'Notes', category: 'Productivity', shortDescription: 'Write things down.', description: 'Syncs over the quasar relay.' }));
    for (let i = 1; i <= 5; i++) await createApp(t, { name: `Tool ${i}`, bundleId: `com.example.tool${i}`, category: 'Developer Tools', publisher: 'Forge Works' });
    await createApp(t, { name: 'Sketch Pad', bundleId: 'com.example.sketch', category: 'Design', distribution: { kind: 'custom', deviceGroups: [groupId] }, featured: true });
    await createApp(t, { name: 'Staged', bundleId: 'com.example.staged', category: 'Staging', distribution: { kind: 'none' } });
  });
  afterAll(async () => {
    await t.stop();
  });

  const page = async (device: Device, query = '') => {
    const response = await deviceCall(t, device, 'GET', `${APPS}${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<CatalogPage>();
  };

  it('lists only what is distributed to the device, paged, with every category whatever the search', async () => {
    const all = await page(alice);
    expect(all.apps.map((a) => a.name)).toEqual(['Notes', 'Sketch Pad', 'Tool 1', 'Tool 2', 'Tool 3', 'Tool 4', 'Tool 5']);
    expect(all.categories).toEqual(['Design', 'Developer Tools', 'Productivity']);
    expect(all.apps.find((a) => a.name === 'Sketch Pad')?.featured).toBe(true);
    expect((await page(bob)).apps.map((a) => a.name)).not.toContain('Sketch Pad');

    const second = await page(alice, '?limit=3&offset=3');
    expect(second.apps.map((a) => a.name)).toEqual(['Tool 2', 'Tool 3', 'Tool 4']);
    expect(second.page).toEqual({ limit: 3, offset: 3, total: 7 });

    const searched = await page(alice, '?search=FORGE');
    expect(searched.apps).toHaveLength(5);
    expect(searched.categories).toEqual(all.categories);
    expect((await page(alice, '?search=things%20down')).apps.map((a) => a.name)).toEqual(['Notes']);
    // The long description is not searched (src/shared/catalog-search.ts).
    expect((await page(alice, '?search=quasar')).apps).toEqual([]);
    expect((await page(alice, '?category=Design')).apps.map((a) => a.name)).toEqual(['Sketch Pad']);
    expect((await deviceCall(t, alice, 'GET', `${APPS}?limit=1000`)).statusCode).toBe(400);
  });

  it('keeps one review per user per app, editable, 1 to 5 stars, and leaves hidden ones out of the list and the rating', async () => {
    const review = (device: Device, body: unknown) => deviceCall(t, device, 'PUT', `${APPS}/${notesId}/review`, { payload: body });
    for (const bad of [{ rating: 0, title: 'x', text: 'y' }, { rating: 6, title: 'x', text: 'y' }, { rating: 4.5, title: 'x', text: 'y' }, { rating: 4, title: 'x' }, { rating: 4, title: 'x', text: 'y', extra: 1 }]) {
      const response = await review(alice, bad);
      expect(response.statusCode, JSON.stringify(bad)).toBe(400);
      expect(response.json<{ message: string }>().message).toMatch(/^Invalid /);
    }
    const first = (await review(alice, { rating: 2, title: 'Meh', text: 'It crashed.' })).json<Review>();
    const edited = (await review(alice, { rating: 5, title: 'Great now', text: 'Fixed.' })).json<Review>();
    expect(edited).toMatchObject({ id: first.id, rating: 5, title: 'Great now', author: 'alice' });
    expect((await review(bob, { rating: 3, title: 'Fine', text: 'Does the job.' })).statusCode).toBe(200);
    expect((await review(carol, { rating: 1, title: 'Spam', text: 'Buy my thing.' })).statusCode).toBe(200);

    const details = (await deviceCall(t, alice, 'GET', `${APPS}/${notesId}`)).json<AppDetails>();
    expect(details.rating).toEqual({ average: 3, count: 3, histogram: [1, 0, 1, 0, 1] });
    expect(details.myReview).toMatchObject({ id: first.id, rating: 5 });

    const { reviews } = await t.adminOk<{ reviews: { id: string; title: string; hidden: boolean }[] }>('GET', `/apps/${notesId}/reviews`);
    const spam = reviews.find((r) => r.title === 'Spam')!;
    expect(await t.adminOk('PUT', `/apps/${notesId}/reviews/${spam.id}/hidden`, { hidden: true })).toMatchObject({ hidden: true });
    const after = (await deviceCall(t, bob, 'GET', `${APPS}/${notesId}`)).json<AppDetails>();
    expect(after.rating).toEqual({ average: 4, count: 2, histogram: [0, 0, 1, 0, 1] });
    const list = (await deviceCall(t, bob, 'GET', `${APPS}/${notesId}/reviews?limit=1`)).json<ReviewPage>();
    expect(list.page.total).toBe(2);
    expect(list.reviews.map((r) => r.title)).toEqual(['Fine']);
    const summary = (await page(bob, '?search=notes')).apps[0]!;
    expect(summary.rating).toEqual({ average: 4, count: 2 });
    const audit = await t.adminOk<{ entries: { action: string }[] }>('GET', `/audit-log?target=app:${notesId}`);
    expect(audit.entries.map((e) => e.action)).toContain('app.review_hide');
  });

  it('retires the device on its own request, logs and audits it, and refuses its tokens from then on', async () => {
    expect((await deviceCall(t, carol, 'POST', RETIRE_PATH.slice(DEVICE_API_PREFIX.length), { payload: {} })).statusCode).toBe(400);
    const retired = await deviceCall(t, carol, 'POST', RETIRE_PATH.slice(DEVICE_API_PREFIX.length), { payload: { reason: 'Uninstalled from About' } });
    expect(retired.statusCode, retired.body).toBe(200);
    expect(retired.json<{ retiredAt: string }>().retiredAt).toMatch(/^\d{4}-/);
    expect((await deviceCall(t, carol, 'GET', APPS)).statusCode).toBe(401);
    expect((await t.adminOk<{ status: string }>('GET', `/devices/${carol.deviceId}`)).status).toBe('retired');
    const { logs } = await t.adminOk<{ logs: { event: { type: string } }[] }>('GET', `/devices/${carol.deviceId}/logs?kind=event`);
    expect(logs.map((l) => l.event.type)).toEqual(['device.retired']);
    const audit = await t.adminOk<{ entries: { action: string; actor: string }[] }>('GET', `/audit-log?target=device:${carol.deviceId}`);
    expect(audit.entries).toEqual([expect.objectContaining({ action: 'device.retire', actor: `device:${carol.deviceId}` })]);
  });
});
