// The admin API as a contract on both databases: the served OpenAPI document covers every route, and no input to any route is ever a 5xx.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_API_ROUTES } from '../../src/server/admin-api/admin-api-catalog';
import { BACKENDS } from '../support/test-databases';
import { ADMIN, TestServer } from './server-fixture';

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; parameters: { name: string; in: string; required: boolean }[]; requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> } }>>;
}

// PostgreSQL refuses NUL in text where SQLite stores it: a body with one must be a 400 on both, not a database error.
const NUL = 'a\u0000b';
const BAD_BODIES: unknown[] = [null, [], 'text', 42, { unexpected: true }, {}, { name: '', ids: 'x', kind: 'sometimes', limit: -1 }, { name: NUL, username: NUL, scope: 'admin', ids: [NUL] }];
const BAD_QUERIES = ['limit=0', 'limit=abc', 'offset=-1', 'since=yesterday', 'status=lost', 'version=0', 'q=', 'q=a%00b', 'actor=a%00b', 'userId=%00'];

describe.each(BACKENDS)('admin API contract on %s', (backend) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await TestServer.start({ backend });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('serves an OpenAPI 3.1 document, without a token, with every route, its parameters and its request body', async () => {
    const response = await t.server.app.inject({ method: 'GET', url: `${ADMIN}/openapi.json` });
    expect(response.statusCode).toBe(200);
    const document = response.json<OpenApiDocument>();
    expect(document.openapi).toBe('3.1.0');
    const operations = Object.values(document.paths).flatMap((methods) => Object.values(methods).map((o) => o.operationId));
    expect(new Set(operations).size).toBe(operations.length);
    expect(operations.sort()).toEqual(ADMIN_API_ROUTES.map((r) => r.operation).sort());
    for (const spec of ADMIN_API_ROUTES) {
      const operation = document.paths[`${ADMIN}${spec.path.replace(/:([A-Za-z]+)/g, '{$1}')}`]?.[spec.method.toLowerCase()];
      expect(operation, spec.operation).toBeDefined();
      for (const [, name] of spec.path.matchAll(/:([A-Za-z]+)/g)) {
        expect(operation!.parameters).toContainEqual(expect.objectContaining({ name, in: 'path', required: true }));
      }
      expect(operation!.requestBody !== undefined, spec.operation).toBe(spec.body !== undefined || spec.rawBody !== undefined);
    }
    const createUser = document.paths[`${ADMIN}/users`]!.post!;
    expect(Object.keys(createUser.requestBody!.content['application/json']!.schema.properties!)).toEqual(['username', 'displayName']);
    expect(document.paths[`${ADMIN}/devices`]!.get!.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(['limit', 'offset', 'status', 'userId', 'groupId']));
  });

  it('answers every route, whatever its body, query or ids, with a 4xx and an error body, never a 5xx', async () => {
    const user = await t.adminOk<{ id: string }>('POST', '/users', { username: 'fuzz' });
    const failures: string[] = [];
    for (const spec of ADMIN_API_ROUTES) {
      for (const id of [randomUUID(), user.id, 'x'.repeat(90), '%00']) {
        const path = spec.path.replace(/:[A-Za-z]+/g, encodeURIComponent(id));
        const attempts: { url: string; payload?: unknown; type?: string }[] = [
          ...BAD_QUERIES.map((q) => ({ url: `${path}?${q}` })),
          ...(spec.method === 'GET' ? [] : BAD_BODIES.map((payload) => ({ url: path, payload: JSON.stringify(payload), type: 'application/json' }))),
          ...(spec.method === 'GET' ? [] : [{ url: path, payload: '{"unterminated', type: 'application/json' }, { url: path, payload: '', type: 'text/plain' }]),
        ];
        for (const attempt of attempts) {
          const response = await t.server.app.inject({
            method: spec.method,
            url: `${ADMIN}${attempt.url}`,
            headers: { authorization: `Bearer ${t.adminToken}`, ...(attempt.type ? { 'content-type': attempt.type } : {}) },
            ...(attempt.payload === undefined ? {} : { payload: attempt.payload as string }),
          });
          const ok = response.statusCode < 300 || (response.statusCode >= 400 && response.statusCode < 500 && typeof response.json<{ message?: unknown }>().message === 'string');
          if (!ok) failures.push(`${spec.method} ${attempt.url} ${String(attempt.payload)} -> ${response.statusCode} ${response.body.slice(0, 200)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  // Issue 9: routing errors in the project's format, iterated over the catalog.
  it('refuses unknown query parameters on every route with a 400 naming them', async () => {
    const failures: string[] = [];
    for (const spec of ADMIN_API_ROUTES) {
      const path = spec.path.replace(/:[A-Za-z]+/g, randomUUID());
      const response = await t.server.app.inject({ method: spec.method, url: `${ADMIN}${path}?limt=5&zz=1`, headers: { authorization: `Bearer ${t.adminToken}` } });
      const body = response.json<{ error?: string; message?: string }>();
      if (response.statusCode !== 400 || body.error !== 'bad_request' || !/^Unknown query parameters limt, zz: this endpoint takes /.test(body.message ?? '')) {
        failures.push(`${spec.method} ${spec.path} -> ${response.statusCode} ${response.body.slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
    const list = await t.admin('GET', '/devices?limit=5&statuss=active');
    expect(list.json()).toEqual({ error: 'bad_request', message: 'Unknown query parameter statuss: this endpoint takes only limit, offset, q, status, userId, groupId, agentVersion, checkedInBefore.' });
    expect((await t.admin('GET', '/devices?limit=5&status=active')).statusCode).toBe(200);
  });

  it('answers a method a path does not have with 405, an Allow header and an error body', async () => {
    const pattern = (path: string) => new RegExp(`^${path.replace(/:[A-Za-z]+/g, '[^/]+')}$`);
    const failures: string[] = [];
    for (const path of new Set(ADMIN_API_ROUTES.map((r) => r.path))) {
      const concrete = path.replace(/:[A-Za-z]+/g, randomUUID());
      // /scripts/upload is also /scripts/:id: every route whose pattern matches the concrete path counts.
      const methods = new Set(ADMIN_API_ROUTES.filter((r) => pattern(r.path).test(concrete)).map((r) => r.method as string));
      const allowed = [...methods, ...(methods.has('GET') ? ['HEAD'] : [])].sort().join(', ');
      for (const method of (['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const).filter((m) => !methods.has(m))) {
        const response = await t.server.app.inject({ method, url: `${ADMIN}${concrete}`, headers: { authorization: `Bearer ${t.adminToken}` } });
        const body = response.json<{ error?: string; message?: string }>();
        if (response.statusCode !== 405 || response.headers.allow !== allowed || body.error !== 'method_not_allowed' || typeof body.message !== 'string') {
          failures.push(`${method} ${path} -> ${response.statusCode} allow=${String(response.headers.allow)} ${response.body.slice(0, 120)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
