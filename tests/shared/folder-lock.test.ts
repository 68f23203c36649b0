// The folder lock (issue 9): one holder at a time, a clear sentence naming the holder's pid, stale locks taken over safely.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireFolderLock, FolderLockedError } from '../../src/shared/node/folder-lock';

const options = { fileName: 'test.lock', holderName: 'test holder' };
const dirs: string[] = [];

async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'atwork-lock-test-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** The pid of a process that ran and is gone. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

async function writeLock(dir: string, record: object | string): Promise<void> {
  await writeFile(join(dir, options.fileName), typeof record === 'string' ? record : JSON.stringify(record));
}

describe('acquireFolderLock', () => {
  it('lets one holder in and tells the next one who holds it, in one sentence', async () => {
    const dir = await freshDir();
    const lock = await acquireFolderLock(dir, options);
    const record = JSON.parse(await readFile(join(dir, options.fileName), 'utf8'));
    expect(record).toMatchObject({ pid: process.pid, nonce: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const refused = await acquireFolderLock(dir, options).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(FolderLockedError);
    expect((refused as Error).message).toBe(`another test holder (pid ${process.pid}) is already using ${dir}; stop it first`);
    expect(await lock.stillHeld()).toBe(true);
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
    await (await acquireFolderLock(dir, options)).release();
  });

  it('gives the lock to exactly one of many that try at once, also over a stale lock', async () => {
    const dir = await freshDir();
    await writeLock(dir, { pid: deadPid(), startTime: null, nonce: 'old', at: new Date().toISOString() });
    const tries = await Promise.allSettled(Array.from({ length: 8 }, () => acquireFolderLock(dir, options)));
    expect(tries.filter((t) => t.status === 'fulfilled')).toHaveLength(1);
    expect(tries.filter((t) => t.status === 'rejected').every((t) => (t as PromiseRejectedResult).reason instanceof FolderLockedError)).toBe(true);
    expect((await readdir(dir)).sort()).toEqual([options.fileName]);
  });

  it('takes over a lock whose holder is gone, or that is not a lock file at all', async () => {
    for (const stale of [{ pid: deadPid(), startTime: null, nonce: 'gone', at: '' }, 'garbage']) {
      const dir = await freshDir();
      await writeLock(dir, stale);
      const lock = await acquireFolderLock(dir, options);
      expect(JSON.parse(await readFile(join(dir, options.fileName), 'utf8')).pid).toBe(process.pid);
      await lock.release();
    }
  });

  it('clears a takeover guard left by a process that died while removing a stale lock', async () => {
    const dir = await freshDir();
    await writeLock(dir, { pid: deadPid(), startTime: null, nonce: 'gone', at: '' });
    const guard = join(dir, `${options.fileName}.takeover`);
    await writeFile(guard, '1');
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(guard, longAgo, longAgo);
    await (await acquireFolderLock(dir, options)).release();
    expect(await readdir(dir)).toEqual([]);
  });

  it.runIf(process.platform === 'linux')('takes over a lock whose pid now belongs to another process (its start time differs)', async () => {
    const dir = await freshDir();
    const live = process.ppid;
    expect(readFileSync(`/proc/${live}/stat`, 'utf8')).toBeTruthy();
    await writeLock(dir, { pid: live, startTime: '1', nonce: 'reused', at: '' });
    await (await acquireFolderLock(dir, options)).release();

    const stat = readFileSync(`/proc/${live}/stat`, 'utf8');
    const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    await writeLock(dir, { pid: live, startTime, nonce: 'live', at: '' });
    await expect(acquireFolderLock(dir, options)).rejects.toThrow(`another test holder (pid ${live}) is already using`);
  });

  it('lets a holder see it lost the lock, and a release then leaves the new holder alone', async () => {
    const dir = await freshDir();
    const lock = await acquireFolderLock(dir, options);
    const other = JSON.stringify({ pid: process.ppid, startTime: null, nonce: 'theirs', at: '' });
    await writeLock(dir, other);
    expect(await lock.stillHeld()).toBe(false);
    await lock.release();
    expect(await readFile(join(dir, options.fileName), 'utf8')).toBe(other);
  });
});
