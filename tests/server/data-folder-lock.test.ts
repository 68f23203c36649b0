// One server process per data folder: simultaneous first starts make one tenant, the others exit naming the holder, a kill -9 leaves nothing stuck.
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer } from '../../src/server/app/server-app';
import { startServerProcess, type ServerProcess } from '../support/server-process';
import { makeTempDir, removeDir } from './server-fixture';

let root: string;
let dataDir: string;
let processes: ServerProcess[] = [];

beforeEach(async () => {
  root = await makeTempDir();
  dataDir = path.join(root, 'data');
});

afterEach(async () => {
  await Promise.all(processes.map((p) => p.stop('SIGKILL')));
  processes = [];
  await removeDir(root);
});

function count(sql: string): number {
  const db = new SqliteDatabase(path.join(dataDir, 'atwork.db'), { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('the data folder lock', () => {
  it('lets one of five simultaneous first starts serve; the others exit with one sentence naming its pid', async () => {
    // Five processes starting at once on two cores: the winner may need a while to print its URL.
    const starts = Array.from({ length: 5 }, () => startServerProcess(['--data-dir', dataDir, '--log-level', 'silent'], {}, 100_000));
    const outcomes = await Promise.allSettled(starts);
    const serving = outcomes.filter((o): o is PromiseFulfilledResult<ServerProcess> => o.status === 'fulfilled').map((o) => o.value);
    processes = serving;
    const reasons = outcomes.flatMap((o) => (o.status === 'rejected' ? [String((o.reason as Error).message)] : []));
    expect(serving, reasons.join('\n')).toHaveLength(1);
    const holder = serving[0]!.child.pid!;
    const refusals = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => String((o.reason as Error).message));
    expect(refusals, refusals.join('\n')).toHaveLength(4);
    for (const refusal of refusals) {
      expect(refusal).toContain(`exited (1)`);
      expect(refusal).toContain(`atwork-server: Another Atwork server (pid ${holder}) is already using ${dataDir}; stop it first.`);
    }
    expect(count('select count(*) as n from tenants')).toBe(1);
    expect(count('select count(*) as n from signing_certificates where revoked_at is null')).toBe(1);
    expect(count('select count(*) as n from admin_tokens')).toBe(1);
  }, 150_000);

  it('is taken over after the holder was killed with SIGKILL, and refuses a second server in the same process', async () => {
    const first = await startServerProcess(['--data-dir', dataDir, '--log-level', 'silent']);
    processes.push(first);
    await expect(startServer({ dataDir })).rejects.toThrow(`Another Atwork server (pid ${first.child.pid}) is already using ${dataDir}; stop it first.`);
    await first.stop('SIGKILL');
    const second = await startServer({ dataDir });
    try {
      await expect(startServer({ dataDir })).rejects.toThrow(`Another Atwork server (pid ${process.pid}) is already using`);
    } finally {
      await second.close();
    }
    // Released on close: the next start needs no takeover.
    await (await startServer({ dataDir })).close();
  }, 60_000);
});
