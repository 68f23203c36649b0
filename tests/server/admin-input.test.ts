// Issue 9 on both databases: every numeric admin field bounded to its column (from the route catalog), UTF-8 bodies checked byte for byte.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ADMIN_API_ROUTES } from '../../src/server/admin-api/admin-api-catalog';
import { INT32_MAX, INT32_MIN } from '../../src/shared/input-bounds';
import { BACKENDS } from '../support/test-databases';
import { ADMIN, TestServer } from './server-fixture';

interface IntField {
  operation: string;
  where: 'query' | 'body';
  path: string[];
  minimum: number | undefined;
  maximum: number | undefined;
}

type JsonSchema = { type?: string; minimum?: number; maximum?: number; properties?: Record<string, JsonSchema>; anyOf?: JsonSchema[]; items?: JsonSchema };

function intFields(operation: string, where: 'query' | 'body', schema: JsonSchema, path: string[] = []): IntField[] {
  const own: IntField[] = schema.type === 'integer' || schema.type === 'number' ? [{ operation, where, path, minimum: schema.minimum, maximum: schema.maximum }] : [];
  return [
    ...own,
    ...Object.entries(schema.properties ?? {}).flatMap(([name, s]) => intFields(operation, where, s, [...path, name])),
    ...(schema.anyOf ?? []).flatMap((s) => intFields(operation, where, s, path)),
    ...(schema.items ? intFields(operation, where, schema.items, [...path, '0']) : []),
  ];
}

const INT_FIELDS: IntField[] = ADMIN_API_ROUTES.flatMap((spec) =>
  (['query', 'body'] as const).flatMap((where) => {
    const schema = spec[where];
    return schema === undefined || spec.textBody ? [] : intFields(spec.operation, where, z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema);
  }),
);

/** Bodies that are valid apart from the field under test, for the routes whose body has a required field. */
const BASE_BODIES: Record<string, (ids: Record<string, string>) => Record<string, unknown>> = {
  'agent-configurations.create': () => ({ name: 'Bounds' }),
  'script-configurations.create': (ids) => ({ name: 'Bounds', scriptId: ids.scripts, schedule: { kind: 'once' } }),
  'enrollment-tokens.create': (ids) => ({ name: 'Bounds', userId: ids.users }),
};

function withValue(base: Record<string, unknown>, path: string[], value: number): Record<string, unknown> {
  const [head, ...rest] = path;
  if (head === undefined) return base;
  return { ...base, [head]: rest.length === 0 ? value : withValue((base[head] as Record<string, unknown> | undefined) ?? {}, rest, value) };
}

it('bounds every integer of the admin API within a 32-bit column', () => {
  expect(INT_FIELDS.length).toBeGreaterThan(10);
  for (const f of INT_FIELDS) {
    const name = `${f.operation} ${f.where}.${f.path.join('.')}`;
    expect(f.minimum, name).toBeGreaterThanOrEqual(INT32_MIN);
    expect(f.maximum, name).toBeLessThanOrEqual(INT32_MAX);
  }
});

describe.each(BACKENDS)('admin input on %s', (backend) => {
  let t: TestServer;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    t = await TestServer.start({ backend });
    ids.users = (await t.adminOk<{ id: string }>('POST', '/users', { username: 'bounds' })).id;
    const c = await t.createScriptConfiguration('echo bounds', 'none');
    ids.scripts = c.scriptId;
    ids['script-configurations'] = c.configurationId;
    ids['agent-configurations'] = (await t.adminOk<{ id: string }>('POST', '/agent-configurations', { name: 'Target' })).id;
    ids['user-groups'] = (await t.adminOk<{ id: string }>('POST', '/user-groups', { name: 'Bounds' })).id;
    ids['device-groups'] = (await t.adminOk<{ id: string }>('POST', '/device-groups', { name: 'Bounds' })).id;
    ids.devices = (await t.enrolledDevice('mac-user')).deviceId;
  });
  afterAll(async () => {
    await t.stop();
  });

  it('answers each numeric field at its bounds without a 5xx, and one past them with a 400 naming it', async () => {
    const failures: string[] = [];
    for (const f of INT_FIELDS) {
      const spec = ADMIN_API_ROUTES.find((r) => r.operation === f.operation)!;
      const resource = f.operation.split('.')[0]!;
      const url = spec.path.replace(/:[A-Za-z]+/g, ids[resource] ?? 'unknown');
      const name = f.path.join('.');
      const send = (value: number) => {
        if (f.where === 'query') return t.admin(spec.method, `${url}?${name}=${value}`);
        return t.admin(spec.method, url, withValue(BASE_BODIES[f.operation]?.(ids) ?? {}, f.path, value));
      };
      const naming = new RegExp(`^Invalid ${name.replace('.', '\\.')}: `);
      for (const value of [f.minimum!, f.maximum!]) {
        const response = await send(value);
        if (response.statusCode >= 500 || naming.test(response.json<{ message: string }>().message ?? '')) failures.push(`${f.operation} ${name}=${value} -> ${response.statusCode} ${response.body}`);
      }
      for (const value of [f.minimum! - 1, f.maximum! + 1]) {
        const response = await send(value);
        if (response.statusCode !== 400 || !naming.test(response.json<{ message: string }>().message)) failures.push(`${f.operation} ${name}=${value} -> ${response.statusCode} ${response.body}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers a script version past 2,147,483,647 with 400, not a database error', async () => {
    expect((await t.admin('GET', `/scripts/${ids.scripts}?version=2147483648`)).statusCode).toBe(400);
    expect((await t.admin('GET', `/scripts/${ids.scripts}?version=2147483647`)).statusCode).toBe(404);
    expect((await t.admin('PATCH', `/script-configurations/${ids['script-configurations']}`, { scriptVersion: 2147483648 })).statusCode).toBe(400);
    expect((await t.admin('POST', '/script-configurations', { name: 'x', scriptId: ids.scripts, schedule: { kind: 'once' }, scriptVersion: 2147483648 })).statusCode).toBe(400);
  });

  const upload = (body: Buffer, contentType: string) =>
    t.server.app.inject({ method: 'POST', url: `${ADMIN}/scripts/upload?name=Upload&type=bash`, headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': contentType }, payload: body });

  it.each([
    ['ff fe 80', Buffer.from([0xff, 0xfe, 0x80]), 'text/plain', 0],
    ['c3 28 declared utf-8', Buffer.from([0xc3, 0x28]), 'text/plain; charset=utf-8', 0],
    ['an overlong NUL after text', Buffer.from([...Buffer.from('echo é '), 0xc0, 0x80]), 'text/plain', 8],
    ['a UTF-16 surrogate', Buffer.from([...Buffer.from('echo '), 0xed, 0xa0, 0x80]), 'text/plain', 5],
    ['a truncated sequence at the end', Buffer.from([...Buffer.from('echo '), 0xe2, 0x82]), 'text/plain', 5],
  ])('refuses a script upload with %s, naming the offset of the first bad byte', async (_name, body, contentType, offset) => {
    const response = await upload(body, contentType);
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: string; message: string }>()).toEqual({ error: 'bad_request', message: expect.stringMatching(new RegExp(`^The request body is not valid UTF-8 at byte ${offset} \\(0x`)) });
  });

  it('refuses a JSON body with raw invalid UTF-8 bytes, and stores valid UTF-8 byte for byte', async () => {
    const json = Buffer.concat([Buffer.from('{"name":"Bad","type":"bash","body":"echo '), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const refused = await t.server.app.inject({ method: 'POST', url: `${ADMIN}/scripts`, headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' }, payload: json });
    expect(refused.statusCode).toBe(400);
    expect(refused.json<{ message: string }>().message).toMatch(/^The request body is not valid UTF-8 at byte 41 \(0xc3\)/);
    expect((await t.adminOk<{ scripts: { name: string }[] }>('GET', '/scripts?q=Bad')).scripts).toEqual([]);

    const text = 'echo "héllo 😀"\n';
    const stored = await upload(Buffer.from(text), 'text/plain; charset=UTF-8');
    expect(stored.statusCode).toBe(201);
    expect((await t.adminOk<{ body: string }>('GET', `/scripts/${stored.json<{ id: string }>().id}`)).body).toBe(text);
    expect((await upload(Buffer.from('echo x'), 'text/plain; charset=iso-8859-1')).statusCode).toBe(415);
  });

  it('stores a renamed device name trimmed and within 200 characters', async () => {
    const padded = await t.admin('PATCH', `/devices/${ids.devices}`, { name: ` ${'n'.repeat(200)} ` });
    expect(padded.statusCode).toBe(200);
    expect((await t.adminOk<{ name: string }>('GET', `/devices/${ids.devices}`)).name).toBe('n'.repeat(200));
    expect((await t.admin('PATCH', `/devices/${ids.devices}`, { name: 'n'.repeat(201) })).statusCode).toBe(400);
    const stored = await t.query((db) => db.selectFrom('devices').select('name').where('id', '=', ids.devices!).executeTakeFirstOrThrow());
    expect(stored.name).toBe('n'.repeat(200));
  });
});
