// The device catalog's cache of filter rows: every app change through the admin API is in the next catalog read, on one server and across two replicas.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG_PATH, type CatalogPage } from '../../src/shared/catalog-protocol';
import { DEVICE_API_PREFIX } from '../../src/shared/protocol';
import { ENROLL_SUBJECT, signDeviceToken } from '../../src/shared/node/device-token';
import { CatalogFilterCache } from '../../src/server/catalog/catalog-filter-cache';
import { bumpCatalogRevision, catalogRevision } from '../../src/server/catalog/catalog-revisions';
import type { Db } from '../../src/server/db/database';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/test-databases';
import { adminUpload, createApp, deviceCall, png, startTwoReplicas, type Device, type Served } from './catalog-fixture';
import { ADMIN, makeTempDir, newDeviceKeys, removeDir, TestServer } from './server-fixture';

const APPS = CATALOG_PATH.slice(DEVICE_API_PREFIX.length) + '/apps';

async function catalog(t: Served, device: Device, query = ''): Promise<CatalogPage> {
  const response = await deviceCall(t, device, 'GET', `${APPS}${query}`);
  if (response.statusCode !== 200) throw new Error(`GET ${APPS}${query} -> ${response.statusCode} ${response.body}`);
  return response.json<CatalogPage>();
}

const names = (page: CatalogPage) => page.apps.map((a) => a.name);

async function admin(t: Served, method: 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: object): Promise<void> {
  const response = await t.server.app.inject({ method, url: `${ADMIN}${url}`, headers: { authorization: `Bearer ${t.adminToken}` }, ...(payload === undefined ? {} : { payload }) });
  if (response.statusCode !== 200) throw new Error(`${method} ${url} -> ${response.statusCode} ${response.body}`);
}

/** A user, a PIN and a device enrolled through one replica. */
async function enroll(t: Served, username: string): Promise<Device> {
  const post = async <T>(url: string, payload: object) =>
    (await t.server.app.inject({ method: 'POST', url: `${ADMIN}${url}`, headers: { authorization: `Bearer ${t.adminToken}` }, payload })).json<T>();
  const user = await post<{ id: string }>('/users', { username });
  const { pin } = await post<{ pin: string }>(`/users/${user.id}/registration-pins`, {});
  const keys = newDeviceKeys();
  const enrolled = await t.server.app.inject({
    method: 'POST',
    url: `${DEVICE_API_PREFIX}/enroll`,
    headers: { authorization: `Bearer ${await signDeviceToken(keys.privateKey, ENROLL_SUBJECT)}` },
    payload: { method: 'pin', username, pin, publicKey: keys.publicJwk, device: { name: 'Mac', osName: 'macOS', osVersion: '15.1', model: 'Mac15,3', serialNumber: null, agentVersion: '0.1.0' } },
  });
  return { deviceId: enrolled.json<{ deviceId: string }>().deviceId, keys };
}

describe.each(BACKENDS)('the device catalog after app changes on %s', (backend) => {
  let t: TestServer;
  let alice: Device;
  beforeAll(async () => {
    t = await TestServer.start({ backend });
    alice = await t.enrolledDevice('alice');
  });
  afterAll(async () => {
    await t.stop();
  });

  it('shows a new app, a changed distribution, new details and a deletion at the next request', async () => {
    const notes = await createApp(t, { name: 'Notes' });
    expect(names(await catalog(t, alice))).toEqual(['Notes']);

    const editor = await createApp(t, { name: 'Editor', bundleId: 'com.example.editor', category: 'Developer Tools' });
    const both = await catalog(t, alice);
    expect(names(both)).toEqual(['Editor', 'Notes']);
    expect(both.categories).toEqual(['Developer Tools', 'Productivity']);

    await admin(t, 'PUT', `/apps/${editor.id}/distribution`, { kind: 'none' });
    expect(names(await catalog(t, alice))).toEqual(['Notes']);
    await admin(t, 'PUT', `/apps/${editor.id}/distribution`, { kind: 'custom', devices: [alice.deviceId] });
    expect(names(await catalog(t, alice))).toEqual(['Editor', 'Notes']);

    await admin(t, 'PATCH', `/apps/${notes.id}`, { name: 'Zettel', shortDescription: 'Keeps a SLIP box' });
    expect(names(await catalog(t, alice))).toEqual(['Editor', 'Zettel']);
    expect(names(await catalog(t, alice, '?search=slip%20BOX'))).toEqual(['Zettel']);
    expect((await catalog(t, alice, '?search=notes')).page.total).toBe(0);

    await admin(t, 'DELETE', `/apps/${editor.id}`);
    const last = await catalog(t, alice);
    expect(names(last)).toEqual(['Zettel']);
    expect(last.categories).toEqual(['Productivity']);
  });

  it('bumps the revision with every write to apps, icons and screenshots included, in the same transaction', async () => {
    const tenantId = await t.query(async (db) => (await db.selectFrom('tenants').select('id').executeTakeFirstOrThrow()).id);
    const revision = () => t.query((db) => catalogRevision(db, tenantId));
    const { id } = await createApp(t, { name: 'Painter', bundleId: 'com.example.painter' });
    const created = await revision();
    expect((await adminUpload(t, 'PUT', `/apps/${id}/icon`, await png(64, 64))).statusCode).toBe(200);
    expect(await revision()).toBe(created + 1);
    expect((await adminUpload(t, 'POST', `/apps/${id}/screenshots`, await png(320, 200))).statusCode).toBe(201);
    expect(await revision()).toBe(created + 2);
    await expect(t.query((db) => bumpCatalogRevision(db, tenantId))).rejects.toThrow(/outside the transaction/);
    expect(await revision()).toBe(created + 2);
  });
});

describe('the filter cache', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await TestServer.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  /** Three more tenants: the cache is keyed by tenant, and apps need a tenant row. */
  const addTenants = (db: Db) =>
    Promise.all(
      ['t1', 't2', 't3'].map((id) =>
        db.insertInto('tenants').values({ id, name: id, root_certificate_pem: '-', signing_certificate_pem: '-', created_at: new Date().toISOString() }).execute(),
      ),
    );

  /** An app written behind the cache's back: no revision bump, so only a read from the database shows it. */
  const sneakIn = (db: Db, tenantId: string) => {
    const at = new Date().toISOString();
    const row = { id: randomUUID(), tenant_id: tenantId, name: 'Hidden', bundle_id: 'com.example.hidden', version: '1', publisher: 'P', category: 'C', short_description: '', description: '' };
    const flags = { type: 'pkg', priority: 'normal', featured: 0, silent_install: 0, remove_on_unenrollment: 0, distribution: '{"kind":"everyone"}' };
    return db.insertInto('apps').values({ ...row, ...flags, icon_sha256: null, package_sha256: null, package_size: null, created_at: at, updated_at: at }).execute();
  };

  it('answers from memory while the revision stands, and drops the least recently asked tenant beyond its cap', async () => {
    await t.query(async (db) => {
      await addTenants(db);
      const cache = new CatalogFilterCache(db, 2);
      const count = async (tenantId: string) => (await cache.apps(tenantId)).length;
      expect(await count('t1')).toBe(0);
      await sneakIn(db, 't1');
      expect(await count('t1')).toBe(0);
      await db.transaction().execute((trx) => bumpCatalogRevision(trx, 't1'));
      expect(await count('t1')).toBe(1);

      await sneakIn(db, 't1');
      expect(await count('t2')).toBe(0);
      // t1, asked again, is now the most recent: t3 pushes t2 out, not t1.
      expect(await count('t1')).toBe(1);
      expect(await count('t3')).toBe(0);
      await sneakIn(db, 't2');
      expect(await count('t1')).toBe(1);
      expect(await count('t2')).toBe(1);
      // t2 came back and pushed t3 out, then t1 as the least recent: t1 is read again.
      expect(await count('t3')).toBe(0);
      expect(await count('t1')).toBe(2);
    });
  });
});

describe('two replicas on one PostgreSQL database', () => {
  let root: string;
  let database: TestDatabase;
  let a: Served;
  let b: Served;
  let alice: Device;
  beforeAll(async () => {
    root = await makeTempDir();
    database = await createTestDatabase('postgres');
    ({ a, b } = await startTwoReplicas(root, database.databaseUrl));
    alice = await enroll(a, 'alice');
  });
  afterAll(async () => {
    await b.server.close();
    await a.server.close();
    await database.drop();
    await removeDir(root);
  });

  it("shows at once in B's catalog an app created, redistributed, renamed and deleted through A", async () => {
    expect(names(await catalog(b, alice))).toEqual([]);
    const { id } = await createApp(a, { name: 'Notes' });
    expect(names(await catalog(b, alice))).toEqual(['Notes']);
    await admin(a, 'PUT', `/apps/${id}/distribution`, { kind: 'none' });
    expect(names(await catalog(b, alice))).toEqual([]);
    await admin(a, 'PUT', `/apps/${id}/distribution`, { kind: 'everyone' });
    await admin(a, 'PATCH', `/apps/${id}`, { name: 'Zettel' });
    expect(names(await catalog(b, alice, '?search=zett'))).toEqual(['Zettel']);
    await admin(a, 'DELETE', `/apps/${id}`);
    expect((await catalog(b, alice)).page.total).toBe(0);
    // And the other way round, with A's cache warm.
    expect(names(await catalog(a, alice))).toEqual([]);
    await createApp(b, { name: 'Editor', bundleId: 'com.example.editor' });
    expect(names(await catalog(a, alice))).toEqual(['Editor']);
  });
});
