// The catalog calls, retiring the device, and enrollment failures, each a ServiceError with its code, against the fake server over real HTTP.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { platformInstaller } from '../../src/agent/apps/package-installer';
import { AgentService } from '../../src/agent/service/agent-service';
import { systemClock } from '../../src/agent/service/system-clock';
import { FileSecretStore } from '../../src/agent/state/file-secret-store';
import { FileStateStore } from '../../src/agent/state/file-state-store';
import { NodeSpawner } from '../../src/agent/runner/node-spawner';
import { FetchHttpClient } from '../../src/agent/transport/fetch-http-client';
import { ServiceError, type ServiceErrorCode } from '../../src/shared/agent-service-contract';
import { CATALOG_PATH, RETIRE_PATH } from '../../src/shared/catalog-protocol';
import { DEVICE_API_PREFIX } from '../../src/shared/protocol';
import { recordingLogger, tempDir } from './agent-test-kit';
import { enrolledOverHttp, setup } from './fake-device-server';

const ENROLL = { username: 'alice', pin: '123456' };
const closing: (() => void)[] = [];
afterEach(() => closing.splice(0).forEach((close) => close()));

async function codeOf(promise: Promise<unknown>): Promise<ServiceErrorCode> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ServiceError);
  return (error as ServiceError).code;
}

/** An agent on the real HTTP client, for servers that are not the fake device API. */
async function agentOverHttp(): Promise<AgentService> {
  const stateDir = join(await tempDir(), 'state');
  const logger = recordingLogger();
  return new AgentService({ http: new FetchHttpClient(), spawner: new NodeSpawner(), clock: systemClock, state: new FileStateStore(stateDir, logger), secrets: new FileSecretStore(stateDir), logger });
}

/** A web server that is not an Atwork server: it answers every request with `status` and `body`. */
async function otherServer(status: number, body: string, type = 'text/html'): Promise<string> {
  const server = createServer((_request, response) => response.writeHead(status, { 'content-type': type }).end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closing.push(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('the catalog calls', () => {
  it('get the catalog with its query, an app, its reviews, and save a review, each signed and validated', async () => {
    const { agent, server } = await enrolledOverHttp(platformInstaller('linux', {}));
    server.addApp({ id: 'app-notes', name: 'Notes', version: '2.1.0', package: Buffer.from('pkg') });
    const page = await agent.getCatalog({ search: 'no tes', category: 'Productivity', limit: 20, offset: 40 });
    expect(page.apps.map((a) => a.id)).toEqual(['app-notes']);
    const listCall = server.httpCalls.find((c) => c.url.startsWith(`${CATALOG_PATH}/apps?`))!;
    expect(Object.fromEntries(new URL(listCall.url, 'http://x').searchParams)).toEqual({ search: 'no tes', category: 'Productivity', limit: '20', offset: '40' });
    expect(await agent.getAppDetails('app-notes')).toMatchObject({ id: 'app-notes', name: 'Notes', size: 3 });
    expect((await agent.getReviews('app-notes', { limit: 10, offset: 0 })).reviews).toHaveLength(1);
    expect(await agent.saveReview('app-notes', { rating: 4, title: 'Good', text: 'Fine.' })).toMatchObject({ id: 'rev-mine', rating: 4, title: 'Good' });
    const saved = server.api.calls('PUT', `${CATALOG_PATH}/apps/app-notes/review`);
    expect(saved).toEqual([expect.objectContaining({ body: { rating: 4, title: 'Good', text: 'Fine.' }, authorization: expect.stringMatching(/^Bearer ey/) })]);
  });

  it('refuses an answer that does not match the catalog protocol, and says an unknown app is not found', async () => {
    const { agent, server } = await enrolledOverHttp(platformInstaller('linux', {}));
    server.api.on('GET', `${CATALOG_PATH}/apps`, () => ({ status: 200, body: { apps: [{ id: 'x' }] } }));
    const error = await agent.getCatalog({ limit: 10, offset: 0 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'not_atwork_server', message: expect.stringMatching(/answer is not valid/) });
    expect(await codeOf(agent.getAppDetails('app-missing'))).toBe('not_found');
    server.api.on('GET', `${CATALOG_PATH}/apps`, () => ({ status: 503, body: { error: 'database_unavailable', message: 'The database is down.' } }));
    expect(await codeOf(agent.getCatalog({ limit: 10, offset: 0 }))).toBe('server_unreachable');
  });

  it('are refused with not_enrolled before enrollment, without calling any server', async () => {
    const { makeAgent, server } = await setup();
    expect(await codeOf(makeAgent().getCatalog({ limit: 10, offset: 0 }))).toBe('not_enrolled');
    expect(await codeOf(makeAgent().installApp('app-notes'))).toBe('not_enrolled');
    expect(server.api.requests).toEqual([]);
  });
});

describe('retireDevice', () => {
  it('asks the server to retire the device, then checks in no more, and says so in the status', async () => {
    const { agent, server } = await enrolledOverHttp(platformInstaller('linux', {}));
    agent.start();
    await expect.poll(() => server.api.calls('POST', `${DEVICE_API_PREFIX}/checkin`).length).toBe(1);
    const { retiredAt } = await agent.retireDevice();
    expect(server.api.calls('POST', RETIRE_PATH)).toEqual([expect.objectContaining({ body: { reason: expect.any(String) } })]);
    expect(await agent.getStatus()).toMatchObject({ enrolled: true, retiredAt, nextCheckinAt: null });
    await agent.checkInNow();
    expect(server.api.calls('POST', `${DEVICE_API_PREFIX}/checkin`)).toHaveLength(1);
    expect(await codeOf(agent.getCatalog({ limit: 10, offset: 0 }))).toBe('retired');
    await agent.stop();
  });

  it('maps a refusal to a ServiceError and leaves the device in service', async () => {
    const { agent, server } = await enrolledOverHttp(platformInstaller('linux', {}));
    server.api.on('POST', RETIRE_PATH, () => ({ status: 401, body: { error: 'unauthorized', message: 'This device is not known.' } }));
    expect(await codeOf(agent.retireDevice())).toBe('not_enrolled');
    expect((await agent.getStatus()).retiredAt).toBeNull();
  });
});

describe('enroll', () => {
  it('keeps when the device enrolled, for the About screen', async () => {
    const { makeAgent } = await setup();
    const agent = makeAgent();
    expect((await agent.getStatus()).enrolledAt).toBeNull();
    const before = Date.now();
    await agent.enroll({ serverUrl: 'http://127.0.0.1:8443', ...ENROLL });
    const enrolledAt = Date.parse((await agent.getStatus()).enrolledAt!);
    expect(enrolledAt).toBeGreaterThanOrEqual(before - 1000);
    expect((await makeAgent().getStatus()).enrolledAt).toBe(new Date(enrolledAt).toISOString());
  });

  it.each([
    ['a wrong PIN', 401, { error: 'unauthorized', message: 'The username or registration PIN is wrong, already used or expired.' }, 'wrong_pin'],
    ['a locked PIN', 401, { error: 'pin_locked', message: 'This PIN is locked after too many wrong tries.' }, 'pin_locked'],
    ['too many attempts', 429, { error: 'rate_limited', message: 'Too many enrollment attempts from this address; wait 60 s.' }, 'rate_limited'],
    ['an answer of another shape', 200, { hello: 'world' }, 'not_atwork_server'],
  ] as const)('answers %s with its code', async (_name, status, body, code) => {
    const { makeAgent, server } = await setup();
    server.api.on('POST', `${DEVICE_API_PREFIX}/enroll`, () => ({ status, body }));
    const error = await makeAgent().enroll({ serverUrl: 'https://mdm.example.com', ...ENROLL }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code });
    if (status === 401) expect((error as Error).message).toContain(body.message);
  });

  it.each([
    ['an HTML page', 200, '<html>hello</html>'],
    ['a 404 on the enroll path', 404, '{"error":"not_found","message":"There is no POST /api/device/v1/enroll endpoint."}'],
    ['an error page', 405, '<html>Method Not Allowed</html>'],
  ])('says a server that answers %s is not an Atwork server', async (_name, status, body) => {
    const url = await otherServer(status, body);
    expect(await codeOf((await agentOverHttp()).enroll({ serverUrl: url, ...ENROLL }))).toBe('not_atwork_server');
  });

  it('says a server that does not answer is unreachable, and a URL it refuses is invalid input', async () => {
    const url = await otherServer(200, '');
    closing.splice(0).forEach((close) => close());
    const agent = await agentOverHttp();
    expect(await codeOf(agent.enroll({ serverUrl: url, ...ENROLL }))).toBe('server_unreachable');
    const error = await agent.enroll({ serverUrl: 'http://mdm.example.com', ...ENROLL }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/must use https/) });
  });

  it('refuses a second enrollment as already_enrolled, and allows one after the device was retired', async () => {
    const { agent, serverUrl } = await enrolledOverHttp(platformInstaller('linux', {}));
    expect(await codeOf(agent.enroll({ serverUrl, ...ENROLL }))).toBe('already_enrolled');
    await agent.retireDevice();
    const { deviceId } = await agent.enroll({ serverUrl, ...ENROLL });
    expect(await agent.getStatus()).toMatchObject({ deviceId, retiredAt: null, enrolled: true });
  });
});
