// The browser bridge over real HTTP on 127.0.0.1: token, Host check, static files without traversal, event stream.
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startBrowserBridge } from '../../src/agent/transport/browser-bridge-server';
import type { BrowserBridge } from '../../src/agent/transport/browser-bridge-server';
import { AGENT_METHODS, METHOD_NAMES } from '../../src/shared/agent-service-contract';
import type { MethodName } from '../../src/shared/agent-service-contract';
import { MAX_ARGS_BYTES, routeOf } from '../../src/shared/agent-service-http';
import { FakeAgentService, makeStatus, SAMPLE_ARGS } from '../support/fake-agent-service';

interface RawResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

let workDir: string;
let service: FakeAgentService;
let bridge: BrowserBridge;
let port: number;
let token: string;

/** Sends the path byte for byte (fetch would normalise `..` away before it leaves the client). */
function raw(rawPath: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: rawPath, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const auth = (): Record<string, string> => ({ Authorization: `Bearer ${token}` });

/** Calls one contract method on its route with its sample arguments. */
function callRoute(method: MethodName, headers: Record<string, string>): Promise<RawResponse> {
  const route = routeOf(method);
  const args = SAMPLE_ARGS[method];
  return raw(route.path, { method: route.method, headers, body: route.method === 'POST' && args.length > 0 ? JSON.stringify(args) : undefined });
}

beforeEach(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'atwork-bridge-'));
  const staticDir = path.join(workDir, 'static');
  await mkdir(path.join(staticDir, 'assets'), { recursive: true });
  await writeFile(path.join(staticDir, 'index.html'), '<!doctype html><title>Atwork</title>');
  await writeFile(path.join(staticDir, 'assets', 'app.js'), 'console.log("ui");');
  await writeFile(path.join(staticDir, 'assets', 'app.css'), 'body{}');
  await writeFile(path.join(workDir, 'secret.txt'), 'outside the static folder');
  await symlink(path.join(workDir, 'secret.txt'), path.join(staticDir, 'link-out.txt'));
  service = new FakeAgentService();
  bridge = await startBrowserBridge({ service, staticDir });
  const url = new URL(bridge.url);
  port = Number(url.port);
  token = new URLSearchParams(url.hash.slice(1)).get('token') ?? '';
});

afterEach(async () => {
  await bridge.close();
  await rm(workDir, { recursive: true, force: true });
});

describe('startBrowserBridge', () => {
  it('listens on 127.0.0.1 and puts a 32-byte token in the URL fragment', () => {
    const url = new URL(bridge.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.pathname).toBe('/');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it.each([
    ['no Authorization header', {}],
    ['a wrong token', { Authorization: 'Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
    ['a token prefix', { Authorization: 'Bearer ' }],
    ['another scheme', { Authorization: 'Basic abc' }],
  ])('answers 401 to the API with %s', async (_name, headers: Record<string, string>) => {
    const response = await raw('/bridge/status', { headers });
    expect(response.status).toBe(401);
    expect(response.body).not.toContain('dev-1234');
  });

  it('answers 401 when the right token is sent with another scheme', async () => {
    const response = await raw('/bridge/status', { headers: { Authorization: `Basic ${token}` } });
    expect(response.status).toBe(401);
  });

  it('returns the status with the token', async () => {
    const response = await raw('/bridge/status', { headers: auth() });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(response.body)).toEqual(makeStatus());
  });

  it('checks in on POST /bridge/check-in-now only', async () => {
    expect((await raw('/bridge/check-in-now', { headers: auth() })).status).toBe(404);
    expect(service.checkInCalls).toBe(0);
    const response = await raw('/bridge/check-in-now', { method: 'POST', headers: auth() });
    expect(response.status).toBe(200);
    expect(service.checkInCalls).toBe(1);
    expect(JSON.parse(response.body).lastCheckinAt).toBe('2026-11-24T10:20:00.000Z');
  });

  it('reports a failing service as a 500 with the reason', async () => {
    service.failure = new Error('the state file is unreadable');
    const response = await raw('/bridge/status', { headers: auth() });
    expect(response.status).toBe(500);
    expect(JSON.parse(response.body).error).toContain('the state file is unreadable');
  });

  it('serves the static files without a token, with their content types', async () => {
    const index = await raw('/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.body).toContain('<title>Atwork</title>');
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    const script = await raw('/assets/app.js?v=1');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await raw('/assets/app.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await raw('/missing.js')).status).toBe(404);
    expect((await raw('/assets')).status).toBe(404);
  });

  it('serves the UI with the CSP of the app, whose img-src names the enrolled server and follows it', async () => {
    service.status = makeStatus({ serverUrl: 'https://mdm.example.com:8443/base/' });
    const policy = (await raw('/')).headers['content-security-policy'];
    expect(policy).toContain("script-src 'self';");
    expect(policy).toContain("img-src 'self' https://mdm.example.com:8443;");
    expect(policy).not.toContain('unsafe-inline');
    service.status = makeStatus({ serverUrl: null, enrolled: false });
    expect((await raw('/')).headers['content-security-policy']).toContain("img-src 'self';");
  });

  it('refuses anything but GET for static files', async () => {
    expect((await raw('/index.html', { method: 'POST' })).status).toBe(405);
  });

  it.each([
    '/../secret.txt',
    '/../../package.json',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/..%2fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/assets/%2e%2e/%2e%2e/secret.txt',
    '/%252e%252e/secret.txt',
    '/..%5csecret.txt',
    '/index.html%00.js',
    '/%E0%A4%A',
    '/link-out.txt',
    `/${'..%2f'.repeat(12)}etc/passwd`,
  ])('answers 404 to the traversal %s', async (attempt) => {
    const response = await raw(attempt);
    expect(response.status).toBe(404);
    expect(response.body).not.toContain('outside the static folder');
    expect(response.body).not.toContain('root:');
  });

  it.each(['evil.example', 'evil.example:PORT', '127.0.0.1.evil.example:PORT', '127.0.0.1', '127.0.0.1:1', 'localhost'])(
    'answers 403 to the Host %s',
    async (template) => {
      const host = template.replace('PORT', String(port));
      expect((await raw('/bridge/status', { headers: { ...auth(), Host: host } })).status).toBe(403);
      expect((await raw('/', { headers: { Host: host } })).status).toBe(403);
    },
  );

  it('accepts localhost:PORT as the Host', async () => {
    const response = await raw('/bridge/status', { headers: { ...auth(), Host: `localhost:${port}` } });
    expect(response.status).toBe(200);
  });

  it('streams the current status and then every change as server-sent events', async () => {
    const controller = new AbortController();
    const response = await fetch(`http://127.0.0.1:${port}/bridge/events`, { headers: auth(), signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    // The stream carries every event; this test follows status-changed and skips the others' frames.
    const nextEvent = async (): Promise<unknown> => {
      for (;;) {
        while (!buffered.includes('\n\n')) {
          const { value, done } = await reader.read();
          if (done) throw new Error('The event stream ended early.');
          buffered += value;
        }
        const [frame = '', ...rest] = buffered.split('\n\n');
        buffered = rest.join('\n\n');
        expect(frame).toMatch(/^event: [a-z-]+\n/);
        if (frame.startsWith('event: status-changed\n')) return JSON.parse(frame.replace(/^event: status-changed\ndata: /, ''));
      }
    };

    expect(await nextEvent()).toMatchObject({ deviceId: 'dev-1234' });
    service.emit(makeStatus({ deviceId: 'dev-changed', lastCheckinError: 'The server did not answer.' }));
    expect(await nextEvent()).toMatchObject({ deviceId: 'dev-changed', lastCheckinError: 'The server did not answer.' });

    controller.abort();
    await expect.poll(() => service.listeners.size).toBe(0);
  });

  it('ends open event streams and stops listening on close', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/bridge/events`, { headers: auth() });
    const reader = response.body!.getReader();
    await reader.read();
    expect(service.listeners.size).toBe(1);
    await bridge.close();
    await expect(
      (async () => {
        for (;;) if ((await reader.read()).done) return 'ended';
      })(),
    ).resolves.toBe('ended');
    expect(service.listeners.size).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
    bridge = await startBrowserBridge({ service, staticDir: path.join(workDir, 'static') });
  });

  it('answers 401 to the event stream without the token and never subscribes', async () => {
    const response = await raw('/bridge/events');
    expect(response.status).toBe(401);
    expect(service.listeners.size).toBe(0);
  });
});

describe('every contract method over the bridge', () => {
  it.each(METHOD_NAMES)('%s answers with the token what the contract promises', async (method) => {
    const response = await callRoute(method, auth());
    expect(response.status).toBe(200);
    expect(AGENT_METHODS[method].result.safeParse(JSON.parse(response.body)).success).toBe(true);
    expect(service.calls).toEqual([{ method, args: SAMPLE_ARGS[method] }]);
  });

  it.each(METHOD_NAMES)('%s answers 401 without the token and never calls the service', async (method) => {
    expect((await callRoute(method, {})).status).toBe(401);
    expect((await callRoute(method, { Authorization: 'Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).status).toBe(401);
    expect(service.calls).toEqual([]);
  });

  it.each([
    ['no arguments', ''],
    ['not JSON', '{"serverUrl"'],
    ['an object instead of the argument list', JSON.stringify(SAMPLE_ARGS.enroll[0])],
    ['a missing PIN', JSON.stringify([{ serverUrl: 'http://127.0.0.1:4000', username: 'ada' }])],
  ])('answers 400 to enroll with %s', async (_name, body) => {
    const response = await raw(routeOf('enroll').path, { method: 'POST', headers: auth(), body });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error).toMatch(/arguments/);
    expect(service.calls).toEqual([]);
  });

  it('answers 413 to arguments larger than a method takes', async () => {
    const body = JSON.stringify([{ serverUrl: 'http://127.0.0.1:4000', username: 'x'.repeat(MAX_ARGS_BYTES), pin: '123456' }]);
    const response = await raw(routeOf('enroll').path, { method: 'POST', headers: auth(), body });
    expect(response.status).toBe(413);
    expect(service.calls).toEqual([]);
  });

  it('answers 500 rather than pass on an answer the contract does not allow', async () => {
    service.status = { ...makeStatus(), recentRuns: [{ ...makeStatus().recentRuns[0], status: 'pwned' }] } as unknown as typeof service.status;
    const response = await raw('/bridge/status', { headers: auth() });
    expect(response.status).toBe(500);
    expect(JSON.parse(response.body).error).toContain('contract does not allow');
  });

  it('serves reads as GET and changes as POST only', async () => {
    for (const method of METHOD_NAMES) {
      const route = routeOf(method);
      expect(route.method).toBe(AGENT_METHODS[method].kind === 'read' ? 'GET' : 'POST');
      const other = route.method === 'GET' ? 'POST' : 'GET';
      expect((await raw(route.path, { method: other, headers: auth() })).status).toBe(404);
    }
    expect(service.calls).toEqual([]);
  });
});
