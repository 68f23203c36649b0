// The server's structured log: a line per request, 5xx with their stack, secrets redacted, a file in the data folder, --log-level.
import { execFile } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/server/db/database';
import { startServer, type AtworkServer } from '../../src/server/app/server-app';
import { makeTempDir, removeDir } from './server-fixture';

let server: AtworkServer | null = null;
let root: string;

afterEach(async () => {
  await server?.close();
  server = null;
  if (root) await removeDir(root);
});

function sink(): { stream: PassThrough; text: () => string; lines: () => Record<string, unknown>[] } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text, lines: () => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('server log', () => {
  it('writes one JSON line per request and every 5xx with its stack, to stdout and a 0600 file, with tokens and PINs never in it', async () => {
    root = await makeTempDir();
    const dataDir = path.join(root, 'data');
    const out = sink();
    server = await startServer({ dataDir, log: { level: 'info', stream: out.stream } });
    const token = server.createdAdminToken!;
    const auth = { authorization: `Bearer ${token}` };
    const user = await server.app.inject({ method: 'POST', url: '/api/admin/v1/users', headers: auth, payload: { username: 'alice' } });
    const pin = await server.app.inject({ method: 'POST', url: `/api/admin/v1/users/${user.json().id}/registration-pins`, headers: auth, payload: {} });
    await server.app.inject({ method: 'POST', url: '/api/device/v1/enroll', payload: { method: 'pin', username: 'alice', pin: pin.json().pin } });
    await server.app.inject({ method: 'GET', url: '/api/admin/v1/users?limit=5', headers: auth });
    // A real bug, not a client error or a database fault: a table that is gone.
    const db = openDatabase({ dataDir });
    await sql`drop table audit_log`.execute(db);
    await db.destroy();
    const failed = await server.app.inject({ method: 'POST', url: '/api/admin/v1/users', headers: auth, payload: { username: 'bob' } });
    expect(failed.statusCode).toBe(500);
    await server.close();
    server = null;

    const lines = out.lines();
    const requests = lines.filter((l) => l.msg === 'request' || l.msg === 'request answered with a server error');
    expect(requests.map((l) => [l.method, l.route, l.status])).toEqual([
      ['POST', '/api/admin/v1/users', 201],
      ['POST', '/api/admin/v1/users/:id/registration-pins', 201],
      ['POST', '/api/device/v1/enroll', 400],
      ['GET', '/api/admin/v1/users', 200],
      ['POST', '/api/admin/v1/users', 500],
    ]);
    for (const line of requests) {
      expect(typeof line.ms).toBe('number');
      expect(line.path).not.toContain('?');
    }
    const failure = lines.find((l) => l.msg === 'request failed') as { err: { stack: string } } | undefined;
    expect(failure?.err.stack).toMatch(/no such table: audit_log/);
    expect(out.text()).not.toContain(token);
    expect(out.text()).not.toContain(pin.json().pin);

    const files = await readdir(path.join(dataDir, 'logs'));
    expect(files).toContain('server.1.log');
    const file = await readFile(path.join(dataDir, 'logs', 'server.1.log'), 'utf8');
    expect(file.split('\n').filter(Boolean).length).toBe(lines.length);
    expect(file).not.toContain(token);
    expect((await stat(path.join(dataDir, 'logs', 'server.1.log'))).mode & 0o777).toBe(0o600);
  });

  it('redacts secrets a log call is handed', async () => {
    root = await makeTempDir();
    const out = sink();
    server = await startServer({ dataDir: path.join(root, 'data'), log: { level: 'info', stream: out.stream, toFile: false } });
    server.app.log.info({ pin: '123456', headers: { authorization: 'Bearer atw_secret' }, nested: { token: 'atw_other' } }, 'careless');
    const line = out.lines().find((l) => l.msg === 'careless')!;
    expect(line).toMatchObject({ pin: '[redacted]', headers: { authorization: '[redacted]' }, nested: { token: '[redacted]' } });
  });

  it('logs only at and above --log-level', async () => {
    root = await makeTempDir();
    const out = sink();
    server = await startServer({ dataDir: path.join(root, 'data'), log: { level: 'warn', stream: out.stream, toFile: false } });
    await server.app.inject({ method: 'GET', url: '/healthz' });
    expect(out.lines().filter((l) => l.msg === 'request')).toEqual([]);
  });

  it('refuses an unknown --log-level in one line', async () => {
    root = await makeTempDir();
    const run = promisify(execFile);
    const failure = await run(process.execPath, ['bin/atwork-server.js', 'serve', '--data-dir', path.join(root, 'data'), '--log-level', 'loud']).catch((e: { code: number; stderr: string }) => e);
    expect('code' in failure && failure.code).not.toBe(0);
    expect((failure as { stderr: string }).stderr).toMatch(/--log-level.*loud.*(fatal, error, warn, info, debug, trace, silent)/s);
  });
});
