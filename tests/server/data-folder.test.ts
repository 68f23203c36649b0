// The data folder at start: what is refused with a sentence, what is made private and said so.
import { chmod, chown, mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureDataDir } from '../../src/server/app/data-folder';
import { startServer } from '../../src/server/app/server-app';
import { makeTempDir, removeDir } from './server-fixture';

const isRoot = process.getuid?.() === 0;
let root: string;
let dataDir: string;

beforeEach(async () => {
  root = await makeTempDir();
  dataDir = path.join(root, 'data');
});

afterEach(async () => {
  await removeDir(root);
});

async function firstStart(): Promise<void> {
  await (await startServer({ dataDir })).close();
}

describe('data folder checks', () => {
  it('creates the folder 0700 and the database 0600', async () => {
    await firstStart();
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(dataDir, 'atwork.db'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dataDir, 'admin-token'))).mode & 0o777).toBe(0o600);
  });

  it('refuses a folder other users can write to, instead of quietly chmodding it', async () => {
    await firstStart();
    await chmod(dataDir, 0o777);
    await expect(startServer({ dataDir })).rejects.toThrow(/can be changed by other users \(mode 0777\); check that nothing was planted in it, chmod 700 it/);
    expect((await stat(dataDir)).mode & 0o777).toBe(0o777);
  });

  it('makes a folder that others may only read private, and says so', async () => {
    await firstStart();
    await chmod(dataDir, 0o755);
    await chmod(path.join(dataDir, 'atwork.db'), 0o600);
    expect(await ensureDataDir(dataDir)).toEqual([`the data folder ${dataDir} was readable by other users (mode 0755); it is now 0700`]);
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
  });

  it('refuses an admin token readable by others, wherever it lies', async () => {
    await firstStart();
    await chmod(path.join(dataDir, 'admin-token'), 0o644);
    await expect(startServer({ dataDir })).rejects.toThrow(/admin-token is readable by other users \(mode 0644\); chmod 600 it and replace the admin token/);
  });

  it('refuses a database others could read, and tightens one of an older version that nobody else could reach', async () => {
    await firstStart();
    const db = path.join(dataDir, 'atwork.db');
    await chmod(db, 0o644);
    expect(await ensureDataDir(dataDir)).toEqual([`${db} had mode 0644 in a folder others cannot enter; it is now 0600`]);
    await chmod(db, 0o644);
    await chmod(dataDir, 0o755);
    await expect(startServer({ dataDir })).rejects.toThrow(/atwork\.db is readable by other users \(mode 0644\); chmod 600 it and consider what it holds exposed/);
  });

  it('says in one sentence when the path is a file', async () => {
    await writeFile(dataDir, 'x');
    await expect(startServer({ dataDir })).rejects.toThrow(/^The data folder .+ is not a folder; choose another with --data-dir or ATWORK_DATA_DIR\.$/);
  });

  it.runIf(isRoot)('refuses a folder of another user', async () => {
    await mkdir(dataDir, { mode: 0o700 });
    await chown(dataDir, 65534, 65534);
    await expect(startServer({ dataDir })).rejects.toThrow(/belongs to another user \(uid 65534\); run the server as that user or chown the folder/);
  });
});
