// The atwork-agent command line, run as a real process through its bin shim.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { generateDeviceKey, privateKeyToPem } from '../../src/agent/enrollment/device-identity';
import { enrolledState, tempDir, waitUntil } from './agent-test-kit';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/atwork-agent.js');

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('atwork-agent', () => {
  it('prints the status of a device that is not enrolled as JSON, from ATWORK_STATE_DIR', async () => {
    const dir = await tempDir();
    const { code, stdout } = await cli(['status'], { ATWORK_STATE_DIR: join(dir, 'agent') });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ enrolled: false, deviceId: null, recentRuns: [] });
  });

  it('fails with one clear sentence when enrollment cannot work', async () => {
    const dir = await tempDir();
    const { code, stderr } = await cli(['enroll', '--server', 'http://mdm.example.com', '--user', 'alice', '--pin', '1234', '--state-dir', dir]);
    expect(code).toBe(1);
    expect(stderr).toBe('atwork-agent: server URL http://mdm.example.com must use https (plain http is allowed only to localhost)\n');
  });

  it.each([
    [['--token', 'atwe_x', '--user', 'alice', '--pin', '1234'], 'atwork-agent: give either --token or --user with --pin, not both\n'],
    [['--user', 'alice'], 'atwork-agent: give --user with --pin, or --token for an automated enrollment\n'],
    [[], 'atwork-agent: give --user with --pin, or --token for an automated enrollment\n'],
    [['--token', 'atwe_short'], 'atwork-agent: this is not an enrollment token: one is atwe_ followed by 43 letters, digits, - or _\n'],
    [['--server', 'ftp://mdm.example.com', '--user', 'alice', '--pin', '1234'], null],
  ])('refuses enroll %j in one sentence before it touches anything', async (args, message) => {
    const dir = await tempDir();
    const server = args.includes('--server') ? [] : ['--server', 'https://mdm.example.com'];
    const { code, stderr } = await cli(['enroll', ...server, ...args, '--state-dir', join(dir, 'agent')]);
    if (message === null) expect(stderr).toMatch(/^atwork-agent: [^\n]+\n$/);
    expect({ code, stderr }).toEqual({ code: 1, stderr: message ?? stderr });
    expect(existsSync(join(dir, 'agent'))).toBe(false);
  });

  it('will not run the loop before enrollment', async () => {
    const dir = await tempDir();
    const { code, stderr } = await cli(['run', '--state-dir', dir]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/not enrolled; run `atwork-agent enroll` first/);
  });
});

/** A state folder that looks enrolled, with a server that is not there: `run` keeps retrying its check-ins. */
async function enrolledStateDir(): Promise<string> {
  const dir = await tempDir();
  await chmod(dir, 0o700);
  const state = enrolledState('http://127.0.0.1:9', new Date().toISOString());
  await writeFile(join(dir, 'state.json'), JSON.stringify(state), { mode: 0o600 });
  await writeFile(join(dir, 'device-key.pem'), privateKeyToPem(generateDeviceKey()), { mode: 0o600 });
  return dir;
}

/** Starts `atwork-agent run` and resolves once it holds the state folder's lock. */
async function startRun(dir: string): Promise<{ child: ChildProcess; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'run', '--state-dir', dir], { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lockPath = join(dir, 'agent.lock');
  // The lock file is briefly absent while a stale one is taken over.
  const holder = () => {
    try {
      return (JSON.parse(readFileSync(lockPath, 'utf8')) as { pid: number }).pid;
    } catch {
      return null;
    }
  };
  await waitUntil('the agent to lock its state folder', () => holder() === child.pid, 20_000);
  return { child, exited };
}

describe('atwork-agent on a state folder another agent uses', () => {
  it('refuses a second agent with one sentence naming the first one\'s pid, and takes over after the first was killed', async () => {
    const dir = await enrolledStateDir();
    const first = await startRun(dir);
    const busy = `atwork-agent: another Atwork agent (pid ${first.child.pid}) is already using ${dir}; stop it first\n`;
    expect(await cli(['run', '--state-dir', dir])).toMatchObject({ code: 1, stderr: busy });
    expect(await cli(['enroll', '--server', 'http://127.0.0.1:9', '--user', 'alice', '--pin', '1234', '--state-dir', dir])).toMatchObject({ code: 1, stderr: busy });

    first.child.kill('SIGKILL');
    await first.exited;
    const next = await startRun(dir);
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
    // Released on a normal exit.
    expect(existsSync(join(dir, 'agent.lock'))).toBe(false);
  }, 60_000);
});
