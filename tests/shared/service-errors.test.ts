// ServiceError codes over every transport: the bridge's JSON answer and client, IPC's text of a rejection; and the routes of query methods.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerHandlers, type IpcMainLike } from '../../src/main/ipc-handlers';
import { requestChannel } from '../../src/preload/contract';
import { createBridgeClient } from '../../src/renderer/bridge-client';
import { AGENT_METHODS, METHOD_NAMES, SERVICE_ERROR_CODES, ServiceError, ServiceErrorBodySchema, serviceErrorOf } from '../../src/shared/agent-service-contract';
import { METHOD_KINDS, serviceErrorFromBody } from '../../src/shared/agent-service-names';
import { methodForRoute, routeOf, SERVICE_ERROR_STATUS } from '../../src/shared/agent-service-http';
import { startFakeBridge, type FakeBridge } from '../support/fake-bridge';
import { FakeAgentService, SAMPLE_ARGS } from '../support/fake-agent-service';

describe('the routes of query methods', () => {
  it('serves a query as POST on its name without "get", its arguments in the body', () => {
    expect(routeOf('getCatalog')).toEqual({ method: 'POST', path: '/bridge/catalog' });
    expect(routeOf('getReviews')).toEqual({ method: 'POST', path: '/bridge/reviews' });
    expect(routeOf('getInstalls')).toEqual({ method: 'GET', path: '/bridge/installs' });
    expect(routeOf('installApp')).toEqual({ method: 'POST', path: '/bridge/install-app' });
    expect(methodForRoute('POST', '/bridge/app-details')).toBe('getAppDetails');
    expect(methodForRoute('GET', '/bridge/app-details')).toBeNull();
  });

  it('gives every method a route of its own', () => {
    const routes = METHOD_NAMES.map((name) => `${routeOf(name).method} ${routeOf(name).path}`);
    expect(new Set(routes).size).toBe(METHOD_NAMES.length);
    for (const name of METHOD_NAMES) expect(routeOf(name).method).toBe(AGENT_METHODS[name].kind === 'read' ? 'GET' : 'POST');
  });

  it('routes by the light table of kinds, which names the methods of the schema table', () => {
    expect(Object.keys(METHOD_KINDS).sort()).toEqual(Object.keys(AGENT_METHODS).sort());
  });
});

describe('ServiceError', () => {
  it('answers every code over HTTP with a 4xx status other than the bridge token refusals', () => {
    for (const code of SERVICE_ERROR_CODES) {
      expect(SERVICE_ERROR_STATUS[code]).toBeGreaterThanOrEqual(400);
      expect(SERVICE_ERROR_STATUS[code]).toBeLessThan(500);
      expect([401, 403]).not.toContain(SERVICE_ERROR_STATUS[code]);
    }
  });

  it('is read back from the text Electron gives a rejected invoke', () => {
    const error = new ServiceError('wrong_pin', 'The PIN is wrong: try again.');
    expect(String(error)).toBe('ServiceError[wrong_pin]: The PIN is wrong: try again.');
    const overIpc = new Error(`Error invoking remote method 'agent:enroll': ${String(error)}`);
    expect(serviceErrorOf(overIpc)).toMatchObject({ code: 'wrong_pin', message: 'The PIN is wrong: try again.' });
    expect(serviceErrorOf(error)).toBe(error);
  });

  it('stands for any other failure as unknown with its message', () => {
    expect(serviceErrorOf(new Error('the disk is full'))).toMatchObject({ code: 'unknown', message: 'the disk is full' });
    expect(serviceErrorOf(new Error('ServiceError[made_up]: x'))).toMatchObject({ code: 'unknown' });
    expect(serviceErrorOf('plain text')).toMatchObject({ code: 'unknown', message: 'plain text' });
  });
});

describe('an HTTP error body without zod', () => {
  it.each([
    { error: { code: 'wrong_pin', message: 'The PIN is wrong.' } },
    { error: { code: 'made_up', message: 'x' } },
    { error: { code: 'retired', message: 'x'.repeat(2001) } },
    { error: { code: 'retired' } },
    { error: 'The agent service failed.' },
    null,
    'text',
  ])('is a ServiceError exactly when ServiceErrorBodySchema takes it: %j', (body) => {
    const schema = ServiceErrorBodySchema.safeParse(body);
    const light = serviceErrorFromBody(body);
    expect(light === null ? null : { code: light.code, message: light.message }).toEqual(schema.success ? schema.data.error : null);
  });
});

describe('a ServiceError over IPC', () => {
  it.each(METHOD_NAMES)('reaches the renderer of %s with its code, through the text Electron makes of it', async (method) => {
    const handlers = new Map<string, Parameters<IpcMainLike['handle']>[1]>();
    registerHandlers({ handle: (channel, handler) => handlers.set(channel, handler), removeHandler: () => undefined }, service(), () => true);
    const channel = requestChannel(method);
    // As Electron does: the main process sends String(error), the renderer rejects with a new Error around it.
    const error = await Promise.resolve(handlers.get(channel)!({ sender: { id: 1 }, senderFrame: null }, ...SAMPLE_ARGS[method])).then(
      () => null,
      (e: unknown) => new Error(`Error invoking remote method '${channel}': ${String(e)}`),
    );
    expect(serviceErrorOf(error)).toMatchObject({ code: 'retired', message: 'This device was retired.' });
  });

  function service(): FakeAgentService {
    const fake = new FakeAgentService();
    fake.failure = new ServiceError('retired', 'This device was retired.');
    return fake;
  }
});

describe('a ServiceError over the bridge', () => {
  let service: FakeAgentService;
  let baseUrl: string;
  let token: string;
  let fake: FakeBridge;

  beforeEach(async () => {
    fake = await startFakeBridge();
    ({ service, baseUrl, token } = fake);
  });

  afterEach(() => fake.close());

  it('is answered as {error: {code, message}} with its status', async () => {
    service.failure = new ServiceError('pin_locked', 'The PIN is locked.');
    const route = routeOf('enroll');
    const response = await fetch(`${baseUrl}${route.path}`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: JSON.stringify(SAMPLE_ARGS.enroll) });
    expect(response.status).toBe(423);
    expect(await response.json()).toEqual({ error: { code: 'pin_locked', message: 'The PIN is locked.' } });
  });

  it.each(METHOD_NAMES)('is rethrown by the bridge client for %s with the same code and message', async (method) => {
    service.failure = new ServiceError('server_unreachable', 'The server did not answer.');
    const client = createBridgeClient({ baseUrl, token });
    const error = await (client[method] as (...args: unknown[]) => Promise<unknown>)(...SAMPLE_ARGS[method]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect(error).toMatchObject({ code: 'server_unreachable', message: 'The server did not answer.' });
  });

  it('leaves other failures as they were: the message of a 500', async () => {
    service.failure = new Error('the state file is unreadable');
    const error = await createBridgeClient({ baseUrl, token }).getStatus().catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(ServiceError);
    expect((error as Error).message).toContain('the state file is unreadable');
  });
});
