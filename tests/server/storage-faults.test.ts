// The server on a full disk and on a read-only database: 507/503 with a sentence, logged, readiness failing, recovery when space returns.
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type AtworkServer } from '../../src/server/app/server-app';
import { makeTempDir, removeDir } from './server-fixture';

const isRoot = process.getuid?.() === 0;
// Mounting a small tmpfs is the honest way to fill a disk; it needs root, which CI has.
const describeAsRoot = isRoot ? describe : describe.skip;

let root: string;
let mountPoint: string;

beforeEach(async () => {
  root = await makeTempDir();
  mountPoint = path.join(root, 'volume');
  await mkdir(mountPoint);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint]);
});

afterEach(async () => {
  execFileSync('umount', ['-l', mountPoint]);
  await removeDir(root);
});

function logSink(): { stream: PassThrough; lines: () => Record<string, unknown>[] } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, lines: () => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** Fills the volume with a ballast file until the disk refuses more. */
async function fillDisk(): Promise<string> {
  const ballast = path.join(mountPoint, 'ballast');
  const chunk = Buffer.alloc(64 * 1024, 1);
  const handle = await import('node:fs/promises').then((fs) => fs.open(ballast, 'w'));
  try {
    for (;;) await handle.write(chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    await handle.close();
  }
  return ballast;
}

async function createUsers(server: AtworkServer, token: string, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/admin/v1/users',
      headers: { authorization: `Bearer ${token}` },
      payload: { username: `user-${i}-${'x'.repeat(150)}`, displayName: 'y'.repeat(190) },
    });
    statuses.push(response.statusCode);
    if (response.statusCode !== 201) break;
  }
  return statuses;
}

describeAsRoot('the server on a volume that fills up or turns read-only', () => {
  it('answers 507 with a sentence when the disk is full, logs it, fails readiness, and recovers when space is freed', async () => {
    const sink = logSink();
    const dataDir = path.join(mountPoint, 'data');
    const server = await startServer({ dataDir, log: { level: 'info', toFile: false, stream: sink.stream } });
    try {
      const token = server.createdAdminToken!;
      const ballast = await fillDisk();
      const statuses = await createUsers(server, token, 400);
      const last = statuses.at(-1);
      expect(last).toBe(507);
      const refused = await server.app.inject({ method: 'POST', url: '/api/admin/v1/users', headers: { authorization: `Bearer ${token}` }, payload: { username: 'one-more' } });
      expect(refused.statusCode).toBe(507);
      expect(refused.json()).toEqual({ error: 'insufficient_storage', message: expect.stringMatching(/no disk space left/) });
      // Reads go on.
      expect((await server.app.inject({ method: 'GET', url: '/api/admin/v1/users', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
      const ready = await server.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().error).toBe('insufficient_storage');
      expect(sink.lines().some((l) => l.msg === 'database cannot be written; changes are refused until it can')).toBe(true);
      expect(sink.lines().some((l) => l.msg === 'request failed on a database fault')).toBe(true);

      await rm(ballast);
      let readyAgain = false;
      for (let i = 0; i < 50 && !readyAgain; i++) {
        await new Promise((r) => setTimeout(r, 100));
        readyAgain = (await server.app.inject({ method: 'GET', url: '/readyz' })).statusCode === 200;
      }
      expect(readyAgain).toBe(true);
      const created = await server.app.inject({ method: 'POST', url: '/api/admin/v1/users', headers: { authorization: `Bearer ${token}` }, payload: { username: 'after-space' } });
      expect(created.statusCode).toBe(201);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('refuses to start on a database it cannot write, with one sentence', async () => {
    const dataDir = path.join(mountPoint, 'data');
    await (await startServer({ dataDir })).close();
    // WAL files are gone after a clean close; a read-only remount is what a failed disk or a snapshot mount looks like.
    execFileSync('mount', ['-o', 'remount,ro', mountPoint]);
    await expect(startServer({ dataDir })).rejects.toThrow(/^The data folder .+ cannot be written \(the file system is read-only\); the server keeps its lock, database and logs there/);
  }, 30_000);

  it('says in a sentence when the data folder cannot be created', async () => {
    execFileSync('mount', ['-o', 'remount,ro', mountPoint]);
    await expect(startServer({ dataDir: path.join(mountPoint, 'data') })).rejects.toThrow(
      /^The data folder .+ cannot be created \(the file system is read-only\); choose another with --data-dir or ATWORK_DATA_DIR/,
    );
    const file = path.join(root, 'a-file');
    await writeFile(file, 'x');
    await expect(startServer({ dataDir: path.join(file, 'data') })).rejects.toThrow(/^The data folder .+ cannot be (created|opened) \(a part of the path is a file, not a folder\)/);
    expect(await readdir(root)).toEqual(expect.arrayContaining(['a-file', 'volume']));
  });
});
