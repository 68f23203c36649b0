// The fetch-based HttpClient against a real HTTP server on loopback: byte cap while streaming, deadline, no redirects.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FetchHttpClient } from '../../src/agent/transport/fetch-http-client';
import { HttpFailure, type HttpRequest } from '../../src/agent/core/ports';

let server: Server | null = null;

async function serve(handler: (res: ServerResponse, path: string) => void): Promise<string> {
  server = createServer((req, res) => handler(res, req.url ?? '/'));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = null;
});

function get(url: string, overrides: Partial<HttpRequest> = {}): HttpRequest {
  return { method: 'GET', url, headers: {}, timeoutMs: 5000, maxResponseBytes: 1000, ...overrides };
}

async function failureOf(promise: Promise<unknown>): Promise<HttpFailure> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(HttpFailure);
  return error as HttpFailure;
}

describe('FetchHttpClient', () => {
  it('returns status and body, and sends JSON bodies as JSON', async () => {
    let seen = '';
    const url = await serve((res) => {
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    server!.on('request', (req) => (seen = String(req.headers['content-type'])));
    const response = await new FetchHttpClient().request({ ...get(url), method: 'POST', body: '{}' });
    expect(response.status).toBe(201);
    expect(response.body.toString()).toBe('{"ok":true}');
    expect(seen).toBe('application/json');
  });

  it('returns the response headers by lower-case name, so a Retry-After reaches the agent', async () => {
    const url = await serve((res) => res.writeHead(503, { 'Retry-After': '120' }).end('{}'));
    const response = await new FetchHttpClient().request(get(url));
    expect(response.status).toBe(503);
    expect(response.headers?.['retry-after']).toBe('120');
  });

  it('stops reading a streamed body as soon as it passes the cap', async () => {
    let written = 0;
    const url = await serve((res) => {
      res.writeHead(200);
      const timer = setInterval(() => {
        written += 512;
        res.write(Buffer.alloc(512, 1));
        if (written >= 1_000_000) clearInterval(timer);
      }, 1);
      res.on('close', () => clearInterval(timer));
    });
    const failure = await failureOf(new FetchHttpClient().request(get(url, { maxResponseBytes: 4096 })));
    expect(failure.code).toBe('too_large');
    expect(written).toBeLessThan(1_000_000);
  });

  it('refuses a body whose declared length is over the cap', async () => {
    const url = await serve((res) => res.writeHead(200, { 'content-length': '5000' }).end(Buffer.alloc(5000)));
    expect((await failureOf(new FetchHttpClient().request(get(url)))).code).toBe('too_large');
  });

  it('accepts a body of exactly the cap', async () => {
    const url = await serve((res) => res.writeHead(200).end(Buffer.alloc(1000, 7)));
    expect((await new FetchHttpClient().request(get(url))).body.length).toBe(1000);
  });

  it('gives up at the deadline, also while the body is still coming', async () => {
    const url = await serve((res) => {
      res.writeHead(200);
      res.write('partial');
    });
    const started = Date.now();
    const failure = await failureOf(new FetchHttpClient().request(get(url, { timeoutMs: 200 })));
    expect(failure.code).toBe('timeout');
    expect(failure.message).toMatch(/within/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('does not follow redirects', async () => {
    const url = await serve((res, path) => (path === '/moved' ? res.writeHead(302, { location: '/target' }).end() : res.writeHead(200).end('target')));
    expect((await failureOf(new FetchHttpClient().request(get(`${url}/moved`)))).code).toBe('network');
  });

  it('names the server it could not reach', async () => {
    const url = await serve((res) => res.end());
    const port = new URL(url).port;
    await new Promise((resolve) => server!.close(resolve));
    server = null;
    const failure = await failureOf(new FetchHttpClient().request(get(`${url}/api/x`)));
    expect(failure.code).toBe('network');
    expect(failure.message).toContain(`could not reach http://127.0.0.1:${port}/api/x`);
  });
});
