// Routing errors in the project's {error, message} format (issue 9): 414 and bad URLs from the router, 405 with Allow.
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameworkErrors, installErrorHandlers } from '../../src/server/app/http-errors';
import { DEVICE, TestServer } from './server-fixture';

describe('router errors with frameworkErrors', () => {
  const app = Fastify({ frameworkErrors });
  installErrorHandlers(app);
  app.get('/things/:id', async () => ({ ok: true }));
  afterAll(async () => {
    await app.close();
  });

  it('answers an over-long path segment with 414 in the project format', async () => {
    const response = await app.inject({ method: 'GET', url: `/things/${'x'.repeat(101)}` });
    expect(response.statusCode).toBe(414);
    expect(response.json()).toEqual({ error: 'uri_too_long', message: 'A segment of the URL path is longer than 100 characters; shorten it.' });
    expect((await app.inject({ method: 'GET', url: `/things/${'x'.repeat(100)}` })).statusCode).toBe(200);
  });

  it('answers a badly percent-encoded path with 400 in the project format', async () => {
    const response = await app.inject({ method: 'GET', url: '/things/%E0%A4%A' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'bad_request', message: expect.stringMatching(/percent-encoding/) });
  });

  it('answers another method on a known path with 405 and Allow', async () => {
    const response = await app.inject({ method: 'DELETE', url: '/things/1' });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('GET, HEAD');
    expect(response.json()).toEqual({ error: 'method_not_allowed', message: '/things/1 does not answer DELETE; use GET, HEAD.' });
    expect((await app.inject({ method: 'GET', url: '/nothing' })).statusCode).toBe(404);
  });
});

describe('405 on the device API', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await TestServer.start();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('answers GET /checkin and POST /blobs/:id with 405 naming what they take', async () => {
    for (const [method, path, allow] of [
      ['GET', '/checkin', 'POST'],
      ['PUT', '/inventory', 'POST'],
      ['POST', '/blobs/x', 'GET, HEAD'],
    ] as const) {
      const response = await t.server.app.inject({ method, url: `${DEVICE}${path}` });
      expect(response.statusCode, path).toBe(405);
      expect(response.headers.allow, path).toBe(allow);
      expect(response.json(), path).toMatchObject({ error: 'method_not_allowed', message: expect.any(String) });
    }
  });

  it('answers an over-long path on the real server with 414 in the project format', async () => {
    const response = await t.admin('GET', `/devices/${'x'.repeat(101)}`);
    expect(response.statusCode).toBe(414);
    expect(response.json()).toMatchObject({ error: 'uri_too_long' });
  });
});
