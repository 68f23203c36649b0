// Apps@Work packages: streamed upload with its sha256, package tickets, downloads only for devices the app is distributed to, ranges, install reports.
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { Readable } from 'node:stream';
import { compactVerify, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG_PATH, PACKAGE_TICKET_TYPE, PackageTicketClaimsSchema, type AppDetails, type CatalogPage } from '../../src/shared/catalog-protocol';
import { DEVICE_API_PREFIX } from '../../src/shared/protocol';
import { adminUpload, createApp, deviceCall, type Device } from './catalog-fixture';
import { TestServer } from './server-fixture';

const APPS = CATALOG_PATH.slice(DEVICE_API_PREFIX.length) + '/apps';

describe('catalog packages', () => {
  let t: TestServer;
  let alice: Device & { enrollment: { tenantId: string; tenantRootCertificate: string } };
  let bob: Device;
  let appId: string;
  // Three and a half content chunks, so chunk boundaries are crossed on the way in and out.
  const bytes = randomBytes(3.5 * 1024 * 1024);
  const sha256 = createHash('sha256').update(bytes).digest('hex');

  beforeAll(async () => {
    t = await TestServer.start();
    alice = await t.enrolledDevice('alice');
    bob = await t.enrolledDevice('bob');
    ({ id: appId } = await createApp(t, { distribution: { kind: 'custom', devices: [alice.deviceId] }, silentInstall: true }));
  });
  afterAll(async () => {
    await t.stop();
  });

  it('streams an upload into the store, naming its sha256 and size, and refuses one for an App Store app', async () => {
    // 64 KiB pieces from a stream: the route never gets the body as one buffer.
    const pieces = Array.from({ length: Math.ceil(bytes.length / 65536) }, (_, i) => bytes.subarray(i * 65536, (i + 1) * 65536));
    const response = await adminUpload(t, 'PUT', `/apps/${appId}/package`, Readable.from(pieces));
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ package: { sha256, size: bytes.length } });
    const chunks = await t.query((db) => db.selectFrom('content_chunks').select('chunk_index').where('object_key', '=', sha256).execute());
    expect(chunks).toHaveLength(4);

    const store = await createApp(t, { name: 'Store app', type: 'app-store', bundleId: 'com.example.store' });
    expect((await adminUpload(t, 'PUT', `/apps/${store.id}/package`, Buffer.from('x'))).statusCode).toBe(409);
    expect((await adminUpload(t, 'PUT', `/apps/${appId}/package`, Buffer.alloc(0))).statusCode).toBe(400);
    const audit = await t.adminOk<{ entries: { action: string; details: { sha256?: string } }[] }>('GET', `/audit-log?target=app:${appId}`);
    expect(audit.entries.find((e) => e.action === 'app.upload_package')?.details.sha256).toBe(sha256);
  });

  it('gives the device a package ticket signed like script tickets (ES256, typ, x5c to the root) naming the package', async () => {
    const response = await deviceCall(t, alice, 'POST', `${APPS}/${appId}/install-ticket`);
    expect(response.statusCode, response.body).toBe(200);
    const { ticket } = response.json<{ ticket: string }>();
    const header = decodeProtectedHeader(ticket);
    expect(header).toMatchObject({ alg: 'ES256', typ: PACKAGE_TICKET_TYPE });
    const [signingDer, rootDer] = header.x5c ?? [];
    const root = new X509Certificate(alice.enrollment.tenantRootCertificate);
    expect(Buffer.from(rootDer!, 'base64').equals(root.raw)).toBe(true);
    const signing = new X509Certificate(Buffer.from(signingDer!, 'base64'));
    expect(signing.verify(root.publicKey)).toBe(true);
    const { payload } = await compactVerify(ticket, signing.publicKey, { algorithms: ['ES256'] });
    const claims = PackageTicketClaimsSchema.parse(JSON.parse(Buffer.from(payload).toString('utf8')));
    expect(claims).toMatchObject({
      iss: alice.enrollment.tenantId,
      aud: alice.deviceId,
      appId,
      silentInstall: true,
      package: { path: `${CATALOG_PATH}/apps/${appId}/package`, sha256, size: bytes.length },
    });
    expect(claims.exp - claims.iat).toBe(3600);
  });

  it('answers a device the app is not distributed to with 404 on details, ticket and package, as for an unknown app', async () => {
    for (const [method, path] of [['GET', ''], ['POST', '/install-ticket'], ['GET', '/package']] as const) {
      const forBob = await deviceCall(t, bob, method, `${APPS}/${appId}${path}`);
      const unknown = await deviceCall(t, alice, method, `${APPS}/no-such-app${path}`);
      expect(forBob.statusCode, path).toBe(404);
      expect(forBob.body).toBe(unknown.body);
    }
  });

  it('serves the whole package, a range as 206 with Content-Range, resumes to identical bytes, and 416 past the end', async () => {
    const whole = await deviceCall(t, alice, 'GET', `${APPS}/${appId}/package`);
    expect(whole.statusCode).toBe(200);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(Number(whole.headers['content-length'])).toBe(bytes.length);
    expect(whole.rawPayload.equals(bytes)).toBe(true);

    // An interrupted download kept 1,500,000 bytes; the rest comes as a range across a chunk boundary.
    const kept = bytes.subarray(0, 1_500_000);
    const rest = await deviceCall(t, alice, 'GET', `${APPS}/${appId}/package`, { headers: { range: `bytes=${kept.length}-` } });
    expect(rest.statusCode).toBe(206);
    expect(rest.headers['content-range']).toBe(`bytes ${kept.length}-${bytes.length - 1}/${bytes.length}`);
    expect(createHash('sha256').update(Buffer.concat([kept, rest.rawPayload])).digest('hex')).toBe(sha256);

    const middle = await deviceCall(t, alice, 'GET', `${APPS}/${appId}/package`, { headers: { range: 'bytes=1048570-1048580' } });
    expect(middle.statusCode).toBe(206);
    expect(middle.rawPayload.equals(bytes.subarray(1048570, 1048581))).toBe(true);
    const suffix = await deviceCall(t, alice, 'GET', `${APPS}/${appId}/package`, { headers: { range: 'bytes=-10' } });
    expect(suffix.rawPayload.equals(bytes.subarray(bytes.length - 10))).toBe(true);

    const past = await deviceCall(t, alice, 'GET', `${APPS}/${appId}/package`, { headers: { range: `bytes=${bytes.length}-` } });
    expect(past.statusCode).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${bytes.length}`);
    expect(past.headers['content-type']).toMatch(/^application\/json/);
    expect(past.json()).toMatchObject({ error: 'range_not_satisfiable' });
  });

  it('keeps the latest install report, shows it as the install state and puts each in the device log', async () => {
    const report = (state: string, at: string, message: string | null = null) =>
      deviceCall(t, alice, 'POST', `${APPS}/${appId}/install-report`, { payload: { state, version: '1.0', at, message } });
    expect((await report('installing', '2026-12-01T10:00:00Z')).statusCode).toBe(204);
    expect((await report('failed', '2026-12-01T10:01:00Z', 'The installer said no.')).statusCode).toBe(204);
    // Late from the outbox: older than what is kept, so it changes nothing.
    expect((await report('installing', '2026-12-01T09:59:00Z')).statusCode).toBe(204);
    const details = (await deviceCall(t, alice, 'GET', `${APPS}/${appId}`)).json<AppDetails>();
    expect(details).toMatchObject({ installState: 'failed', installMessage: 'The installer said no.', size: bytes.length });
    expect((await deviceCall(t, bob, 'POST', `${APPS}/${appId}/install-report`, { payload: { state: 'installed', version: '1.0', at: '2026-12-01T10:00:00Z', message: null } })).statusCode).toBe(404);
    const { logs } = await t.adminOk<{ logs: { event: { type: string; message: string } }[] }>('GET', `/devices/${alice.deviceId}/logs?kind=event`);
    expect(logs.map((l) => l.event.type)).toEqual(['app.install_failed', 'app.install_installing', 'app.install_installing']);
    expect(logs[0]!.event.message).toBe('Notes 1.0 failed to install: The installer said no.');
    const device = await t.adminOk<{ appInstalls: unknown[] }>('GET', `/devices/${alice.deviceId}`);
    expect(device.appInstalls).toEqual([{ appId, name: 'Notes', version: '1.0', state: 'failed', message: 'The installer said no.', at: '2026-12-01T10:01:00.000Z' }]);
  });

  it("says installed for an app the device's inventory lists, without a report", async () => {
    const { id } = await createApp(t, { name: 'Inventoried', bundleId: 'com.example.inventoried', type: 'app-store' });
    expect((await deviceCall(t, alice, 'POST', '/inventory', { payload: { apps: [{ bundleId: 'com.example.inventoried', name: 'Inventoried', version: '2' }] } })).statusCode).toBe(200);
    const page = (await deviceCall(t, alice, 'GET', `${APPS}?search=inventoried`)).json<CatalogPage>();
    expect(page.apps.map((a) => [a.id, a.installState])).toEqual([[id, 'installed']]);
    expect((await deviceCall(t, alice, 'POST', `${APPS}/${id}/install-ticket`)).statusCode).toBe(404);
  });
});
