// The `atwork-server serve` command as a real process: prints its URL once listening, serves, and exits cleanly on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, makeTempDir, removeDir } from './server-fixture';

const BIN = path.resolve(import.meta.dirname, '../../bin/atwork-server.js');

function waitForLine(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = pattern.exec(out);
      if (match) resolve(match);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before printing its URL: ${out}${err}`)));
  });
}

const exitCode = (child: ChildProcess): Promise<number | null> => new Promise((resolve) => child.once('exit', (code) => resolve(code)));

describe('atwork-server serve', () => {
  let root: string;
  let child: ChildProcess | undefined;
  beforeEach(async () => {
    root = await makeTempDir();
  });
  afterEach(async () => {
    if (child && child.exitCode === null && child.pid !== undefined) {
      const exited = exitCode(child);
      child.kill('SIGKILL');
      await exited;
    }
    await removeDir(root);
  });

  it('takes its data folder and port from the environment, listens on a free loopback port, serves the API and stops on SIGTERM', async () => {
    const dataDir = path.join(root, 'data');
    const env = { ...process.env, ATWORK_PORT: '0', ATWORK_DATA_DIR: dataDir };
    child = spawn(process.execPath, [BIN, 'serve'], { stdio: ['ignore', 'pipe', 'pipe'], env });
    const [line, url] = await waitForLine(child, /^Atwork server {3}(http:\/\/127\.0\.0\.1:\d+)\n/m);
    expect(line).toMatch(/^Atwork server {3}http:\/\/127\.0\.0\.1:[1-9]\d*\n$/);
    expect((await stat(path.join(dataDir, 'admin-token'))).mode & 0o777).toBe(0o600);

    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${url}${ADMIN}/users`)).status).toBe(401);

    const exited = exitCode(child);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses an invalid port with a message and a non-zero exit', async () => {
    child = spawn(process.execPath, [BIN, 'serve', '--data-dir', path.join(root, 'data'), '--port', 'abc'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    expect(await exitCode(child)).not.toBe(0);
    expect(err).toMatch(/port must be a whole number/);
  });
});
