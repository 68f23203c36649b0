// The content store in the database: two server apps on one PostgreSQL serve what either stored, and on both databases a store is deduplicated and capped.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG_IMAGE_PATH, CATALOG_PATH, type CatalogPage } from '../../src/shared/catalog-protocol';
import { DEVICE_API_PREFIX } from '../../src/shared/protocol';
import { ENROLL_SUBJECT, signDeviceToken } from '../../src/shared/node/device-token';
import { ContentTooLargeError, databaseContentStore } from '../../src/server/catalog/content-store';
import { BACKENDS, createTestDatabase, type TestDatabase } from '../support/test-databases';
import { adminUpload, createApp, deviceCall, png, startTwoReplicas, type Device, type Served } from './catalog-fixture';
import { ADMIN, makeTempDir, newDeviceKeys, removeDir, TestServer } from './server-fixture';

const APPS = CATALOG_PATH.slice(DEVICE_API_PREFIX.length) + '/apps';

describe('two server apps on one PostgreSQL database', () => {
  let root: string;
  let database: TestDatabase;
  let a: Served;
  let b: Served;
  beforeAll(async () => {
    root = await makeTempDir();
    database = await createTestDatabase('postgres');
    ({ a, b } = await startTwoReplicas(root, database.databaseUrl));
  });
  afterAll(async () => {
    await b.server.close();
    await a.server.close();
    await database.drop();
    await removeDir(root);
  });

  /** A user, a PIN and a device enrolled through one replica. */
  const enrollThrough = async (t: Served): Promise<Device> => {
    const admin = async <T>(url: string, payload: object) => (await t.server.app.inject({ method: 'POST', url: `${ADMIN}${url}`, headers: { authorization: `Bearer ${t.adminToken}` }, payload })).json<T>();
    const user = await admin<{ id: string }>('/users', { username: 'alice' });
    const { pin } = await admin<{ pin: string }>(`/users/${user.id}/registration-pins`, {});
    const keys = newDeviceKeys();
    const enrolled = await t.server.app.inject({
      method: 'POST',
      url: `${DEVICE_API_PREFIX}/enroll`,
      headers: { authorization: `Bearer ${await signDeviceToken(keys.privateKey, ENROLL_SUBJECT)}` },
      payload: { method: 'pin', username: 'alice', pin, publicKey: keys.publicJwk, device: { name: 'Mac', osName: 'macOS', osVersion: '15.1', model: 'Mac15,3', serialNumber: null, agentVersion: '0.1.0' } },
    });
    return { deviceId: enrolled.json<{ deviceId: string }>().deviceId, keys };
  };

  it('serves through one the package, icon and catalog uploaded through the other', async () => {
    const { id } = await createApp(a);
    const bytes = randomBytes(2 * 1024 * 1024 + 17);
    expect((await adminUpload(a, 'PUT', `/apps/${id}/package`, bytes)).statusCode).toBe(200);
    const icon = await adminUpload(a, 'PUT', `/apps/${id}/icon`, await png(300, 300));
    const { sha256: iconSha } = icon.json<{ icon: { sha256: string } }>().icon;
    const device = await enrollThrough(a);

    const listed = await deviceCall(b, device, 'GET', APPS);
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json<CatalogPage>().apps.map((app) => [app.id, app.icon?.sha256])).toEqual([[id, iconSha]]);
    const whole = await deviceCall(b, device, 'GET', `${APPS}/${id}/package`);
    expect(createHash('sha256').update(whole.rawPayload).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
    const tail = await deviceCall(b, device, 'GET', `${APPS}/${id}/package`, { headers: { range: 'bytes=2097150-' } });
    expect(tail.statusCode).toBe(206);
    expect(tail.rawPayload.equals(bytes.subarray(2097150))).toBe(true);
    const image = await b.server.app.inject({ method: 'GET', url: `${CATALOG_IMAGE_PATH}/${iconSha}` });
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
  });
});

describe.each(BACKENDS)('the content store on %s', (backend) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await TestServer.start({ backend });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('keeps one copy of the same bytes, refuses more than the cap leaving nothing behind, and reads any range', async () => {
    await t.query(async (db) => {
      const store = databaseContentStore(db, () => new Date());
      const bytes = randomBytes(1024 * 1024 + 5);
      const first = await store.put([bytes.subarray(0, 1000), bytes.subarray(1000)], { maxBytes: bytes.length });
      const second = await store.put([bytes], { maxBytes: bytes.length });
      expect(second).toEqual(first);
      expect(first.size).toBe(bytes.length);
      await expect(store.put([bytes, Buffer.from('x')], { maxBytes: bytes.length })).rejects.toBeInstanceOf(ContentTooLargeError);
      const keys = await db.selectFrom('content_chunks').select('object_key').distinct().execute();
      expect(keys.map((k) => k.object_key)).toEqual([first.sha256]);
      const read = async (range?: { start: number; end: number }) => {
        const parts: Buffer[] = [];
        for await (const part of store.read(first.sha256, range)) parts.push(part);
        return Buffer.concat(parts);
      };
      expect((await read()).equals(bytes)).toBe(true);
      expect((await read({ start: 1048570, end: 1048580 })).equals(bytes.subarray(1048570, 1048581))).toBe(true);
      await store.delete(first.sha256);
      expect(await store.size(first.sha256)).toBeNull();
    });
  });
});
