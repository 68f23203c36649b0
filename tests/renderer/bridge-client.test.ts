// The renderer's bridge client against the real bridge server on 127.0.0.1, plus how it takes a refused answer and a broken event frame.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBridgeClient, readBridgeToken } from '../../src/renderer/bridge-client';
import type { AgentStatus } from '../../src/shared/agent-status';
import type { AgentServiceContract } from '../../src/shared/agent-service-contract';
import { AGENT_METHODS, EVENT_NAMES, eventProperty, METHOD_NAMES } from '../../src/shared/agent-service-contract';
import type { MethodName } from '../../src/shared/agent-service-contract';
import { startFakeBridge, type FakeBridge } from '../support/fake-bridge';
import { makeOnboarding, makeStatus, SAMPLE_ARGS, type FakeAgentService } from '../support/fake-agent-service';

let service: FakeAgentService;
let baseUrl: string;
let token: string;
let fake: FakeBridge;

beforeEach(async () => {
  fake = await startFakeBridge();
  ({ service, baseUrl, token } = fake);
});

afterEach(() => fake.close());

describe('readBridgeToken', () => {
  it.each([
    ['#token=abc_DEF-123', 'abc_DEF-123'],
    ['token=abc', 'abc'],
    ['#other=1&token=xyz', 'xyz'],
    ['', null],
    ['#token=', null],
    ['#token=a%20b', null],
    ['#token=abc/../x', null],
  ])('reads %j as %j', (hash, expected) => {
    expect(readBridgeToken(hash)).toBe(expected);
  });
});

describe('createBridgeClient', () => {
  it('reads the status and checks in through the bridge', async () => {
    const client = createBridgeClient({ baseUrl, token });
    expect(await client.getStatus()).toEqual(makeStatus());
    const after = await client.checkInNow();
    expect(service.checkInCalls).toBe(1);
    expect(after.lastCheckinAt).toBe('2026-11-24T10:20:00.000Z');
  });

  it('rejects with the bridge message when the token is wrong', async () => {
    const client = createBridgeClient({ baseUrl, token: 'wrong-token' });
    await expect(client.getStatus()).rejects.toThrow('Missing or wrong bridge token');
  });

  it('rejects with the service failure', async () => {
    service.failure = new Error('the state file is unreadable');
    await expect(createBridgeClient({ baseUrl, token }).checkInNow()).rejects.toThrow('the state file is unreadable');
  });

  it('delivers live status changes and stops when unsubscribed', async () => {
    const client = createBridgeClient({ baseUrl, token, reconnectDelayMs: 20 });
    const seen: AgentStatus[] = [];
    const unsubscribe = client.onStatusChanged((status) => seen.push(status));
    await expect.poll(() => seen.length).toBe(1);
    service.emit(makeStatus({ deviceId: 'dev-next' }));
    await expect.poll(() => seen.at(-1)?.deviceId).toBe('dev-next');
    unsubscribe();
    await expect.poll(() => service.listeners.size).toBe(0);
    service.emit(makeStatus({ deviceId: 'dev-after-unsubscribe' }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen.map((status) => status.deviceId)).not.toContain('dev-after-unsubscribe');
  });

  it('rejects a status the agent got wrong, which the bridge refuses to pass on', async () => {
    service.status = { ...makeStatus(), recentRuns: [{ ...makeStatus().recentRuns[0], status: 'pwned' }] } as unknown as typeof service.status;
    await expect(createBridgeClient({ baseUrl, token }).getStatus()).rejects.toThrow('contract does not allow');
  });

  it('rejects with the service error the bridge answered', async () => {
    const fetchImpl: typeof fetch = async () => Response.json({ error: { code: 'not_enrolled', message: 'This Mac is not registered.' } }, { status: 409 });
    await expect(createBridgeClient({ baseUrl, token, fetchImpl }).getCatalog({ limit: 60, offset: 0 })).rejects.toMatchObject({ code: 'not_enrolled', message: 'This Mac is not registered.' });
    const unknownCode: typeof fetch = async () => Response.json({ error: { code: 'pwned', message: 'no' } }, { status: 400 });
    await expect(createBridgeClient({ baseUrl, token, fetchImpl: unknownCode }).getStatus()).rejects.toThrow('The agent bridge answered HTTP 400.');
  });

  it('skips frames that are not JSON and keeps reading the stream', async () => {
    const good = JSON.stringify(makeStatus({ deviceId: 'dev-good' }));
    const body = `: keep-alive\n\nevent: status-changed\ndata: {not json\n\nevent: status-changed\r\ndata: ${good}\r\n\r\n`;
    const fetchImpl: typeof fetch = async () => new Response(body, { headers: { 'Content-Type': 'text/event-stream' } });
    const seen: AgentStatus[] = [];
    const unsubscribe = createBridgeClient({ baseUrl, token, fetchImpl, reconnectDelayMs: 10_000 }).onStatusChanged((status) =>
      seen.push(status),
    );
    await expect.poll(() => seen.length).toBe(1);
    expect(seen[0]?.deviceId).toBe('dev-good');
    unsubscribe();
  });

  it('reconnects after the stream drops, and gives up once the bridge refuses the token', async () => {
    let eventRequests = 0;
    const countingFetch: typeof fetch = (input, init) => {
      if (String(input).endsWith('/bridge/events')) eventRequests += 1;
      return fetch(input, init);
    };
    const client = createBridgeClient({ baseUrl, token, reconnectDelayMs: 20, fetchImpl: countingFetch });
    const seen: AgentStatus[] = [];
    const unsubscribe = client.onStatusChanged((status) => seen.push(status));
    await expect.poll(() => seen.length).toBe(1);
    // A restarted bridge has a new token: the client reconnects once, is refused, and stops rather than hammering it.
    await fake.restart();
    await expect.poll(() => eventRequests).toBeGreaterThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(eventRequests).toBe(2);
    unsubscribe();
  });
});

/** Calls one method of a client with its sample arguments. */
function callSample(client: AgentServiceContract, method: MethodName): Promise<unknown> {
  return (client[method] as (...args: unknown[]) => Promise<unknown>)(...SAMPLE_ARGS[method]);
}

describe('every contract method through the bridge client', () => {
  it('has exactly the AgentApi members', () => {
    expect(Object.keys(createBridgeClient({ baseUrl, token })).sort()).toEqual([...METHOD_NAMES, ...EVENT_NAMES.map(eventProperty)].sort());
  });

  it.each(METHOD_NAMES)('%s reaches the service with the token and resolves with what the contract promises', async (method) => {
    // A retry is refused unless a step failed.
    const [first, ...rest] = makeOnboarding().steps;
    if (method === 'retryOnboarding' && first !== undefined) service.onboarding = makeOnboarding({ steps: [{ ...first, status: 'failed', failureMessage: 'boom' }, ...rest] });
    const result = await callSample(createBridgeClient({ baseUrl, token }), method);
    expect(AGENT_METHODS[method].result.safeParse(result).success).toBe(true);
    expect(service.calls).toEqual([{ method, args: SAMPLE_ARGS[method] }]);
  });

  it.each(METHOD_NAMES)('%s is refused with a wrong token and never reaches the service', async (method) => {
    await expect(callSample(createBridgeClient({ baseUrl, token: 'wrong-token' }), method)).rejects.toThrow('Missing or wrong bridge token');
    expect(service.calls).toEqual([]);
  });

  it('enrolls through the bridge and hears the status change', async () => {
    const client = createBridgeClient({ baseUrl, token, reconnectDelayMs: 20 });
    const seen: AgentStatus[] = [];
    const unsubscribe = client.onStatusChanged((status) => seen.push(status));
    await expect.poll(() => seen.length).toBe(1);
    expect(await client.enroll({ serverUrl: 'http://127.0.0.1:4100', username: 'ada', pin: '123456' })).toEqual({ deviceId: 'dev-enrolled' });
    await expect.poll(() => seen.at(-1)?.serverUrl).toBe('http://127.0.0.1:4100');
    unsubscribe();
  });

  it('skips frames of other events on the shared stream', async () => {
    const good = JSON.stringify(makeStatus({ deviceId: 'dev-good' }));
    const body = `event: catalog-changed\ndata: ${JSON.stringify(makeStatus({ deviceId: 'dev-other' }))}\n\ndata: ${good}\n\nevent: status-changed\ndata: ${good}\n\n`;
    const fetchImpl: typeof fetch = async () => new Response(body, { headers: { 'Content-Type': 'text/event-stream' } });
    const seen: AgentStatus[] = [];
    const unsubscribe = createBridgeClient({ baseUrl, token, fetchImpl, reconnectDelayMs: 10_000 }).onStatusChanged((status) => seen.push(status));
    await expect.poll(() => seen.length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen.map((status) => status.deviceId)).toEqual(['dev-good']);
    unsubscribe();
  });

  it('serves every subscription from one event stream, open while anyone listens', async () => {
    let opened = 0;
    const fetchImpl: typeof fetch = async (input, init) => {
      if (String(input).endsWith('/events')) opened += 1;
      return fetch(input, init);
    };
    const client = createBridgeClient({ baseUrl, token, fetchImpl, reconnectDelayMs: 20 });
    const statuses: AgentStatus[] = [];
    const installs: unknown[] = [];
    const offStatus = client.onStatusChanged((status) => statuses.push(status));
    const offInstalls = client.onInstallsChanged((list) => installs.push(list));
    await expect.poll(() => statuses.length > 0 && installs.length > 0).toBe(true);
    expect(opened).toBe(1);
    expect(service.listeners.size).toBe(1);
    offStatus();
    service.emit(makeStatus({ deviceId: 'dev-after-one-unsubscribe' }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(statuses.map((status) => status.deviceId)).not.toContain('dev-after-one-unsubscribe');
    expect(service.listeners.size).toBe(1);
    offInstalls();
    await expect.poll(() => service.listeners.size).toBe(0);
  });
});
