// An agent process SIGKILLed mid-run ends the script it left at restart, reports the run as interrupted when the agent stopped, once, and never runs it again.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type AtworkServer } from '../../src/server/app/server-app';
import type { ScriptResult } from '../../src/shared/script-result';
import { AdminClient } from '../../src/server/admin-api/admin-api-client';
import { JOURNAL_HEARTBEAT_MS } from '../../src/agent/delivery/process-journal';
import { isAlive, tempDir, waitUntil } from './agent-test-kit';

const BIN = join(import.meta.dirname, '../../bin/atwork-agent.js');
/** The script (and a background child of it) would write a marker this long after starting. */
const LATE_AFTER_S = 8;
const RESTART_DELAY_MS = 2000;
const run = promisify(execFile);

interface LogEntry {
  kind: string;
  result?: ScriptResult;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** `atwork-agent run` as a real process; its log lines are kept for a failing test's message. */
function startAgent(stateDir: string): { child: ChildProcess; log: () => string } {
  const child = spawn(process.execPath, [BIN, 'run', '--state-dir', stateDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  cleanups.push(() => void child.kill('SIGKILL'));
  return { child, log: () => log };
}

async function stopped(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, log: () => string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; agent log:\n${log()}`);
}

function lines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

describe('a run interrupted by the death of its agent', () => {
  it('is ended and reported as interrupted at the stop after restart, once, and the "execute once" script never runs again', async () => {
    const dir = await tempDir();
    const server: AtworkServer = await startServer({ dataDir: join(dir, 'server') });
    cleanups.push(() => server.close());
    const serverUrl = await server.listen({ host: '127.0.0.1', port: 0 });
    const admin = new AdminClient(serverUrl, server.createdAdminToken!);
    const user = await admin.call<{ id: string }>('POST', '/users', { username: 'alice' });
    const { pin } = await admin.call<{ pin: string }>('POST', `/users/${user.id}/registration-pins`, {});
    await admin.call('POST', '/agent-configurations', { name: 'Default', maxRunTimeSeconds: 600, distribution: { kind: 'everyone' } });
    const started = join(dir, 'started');
    const late = join(dir, 'late');
    // Left running, it would write the late marker a few seconds after the agent died.
    const script = await admin.call<{ id: string }>('POST', '/scripts', { name: 'long', type: 'bash', body: `pwd > ${join(dir, 'folder')}\necho "$$" >> ${started}\n( sleep ${LATE_AFTER_S}; echo late >> ${late} ) &\nsleep ${LATE_AFTER_S}\necho late >> ${late}\n` });
    const configuration = await admin.call<{ id: string }>('POST', '/script-configurations', {
      name: 'Long once',
      scriptId: script.id,
      schedule: { kind: 'once' },
      distribution: { kind: 'everyone' },
    });

    const stateDir = join(dir, 'agent');
    const enrolled = await run(process.execPath, [BIN, 'enroll', '--server', serverUrl, '--user', 'alice', '--pin', pin, '--state-dir', stateDir]);
    const deviceId = /enrolled as device (\S+)/.exec(enrolled.stdout)![1]!;
    const scriptResults = async () => (await admin.call<{ logs: LogEntry[] }>('GET', `/devices/${deviceId}/logs`)).logs.filter((l) => l.kind === 'script_result');

    // First life: the script starts, then the agent is SIGKILLed mid-run.
    const first = startAgent(stateDir);
    await until('the script to start', async () => (lines(started).length > 0 ? true : undefined), first.log);
    await stopped(first.child, 'SIGKILL');
    const killedAt = Date.now();
    // The script lives in its own session and outlives the agent, until the next agent ends it.
    const scriptPid = Number(lines(started)[0]);
    expect(isAlive(scriptPid)).toBe(true);
    expect(await scriptResults()).toEqual([]);
    // A restart well after the stop, so the reported end time tells the two apart.
    await new Promise((r) => setTimeout(r, RESTART_DELAY_MS));

    // Second life: the leftover script is ended, the run is reported as interrupted, and the script is not started again.
    const restartedAt = Date.now();
    const second = startAgent(stateDir);
    const [reported] = await until('the interrupted result', async () => {
      const results = await scriptResults();
      return results.length > 0 ? results : undefined;
    }, second.log);
    expect(reported!.result).toMatchObject({
      configurationId: configuration.id,
      scriptId: script.id,
      status: 'interrupted',
      exitCode: null,
      signal: null,
      timedOut: false,
      error: 'the agent stopped while the script was running, so its outcome is unknown; it was not run again',
    });
    expect(isAlive(scriptPid)).toBe(false);
    const folder = lines(join(dir, 'folder'))[0]!;
    expect(folder).toMatch(/\/atwork-run-[^/]+\/w$/);
    expect(existsSync(dirname(folder))).toBe(false);
    const endedAt = Date.parse(reported!.result!.endedAt);
    expect(endedAt).toBeGreaterThanOrEqual(Date.parse(reported!.result!.startedAt));
    expect(endedAt).toBeGreaterThan(killedAt - JOURNAL_HEARTBEAT_MS - 1000);
    expect(endedAt).toBeLessThanOrEqual(killedAt);
    expect(endedAt).toBeLessThan(restartedAt - RESTART_DELAY_MS / 2);
    const status = async () => JSON.parse((await run(process.execPath, [BIN, 'status', '--state-dir', stateDir])).stdout) as { lastCheckinAt: string | null };
    const secondCheckin = await until('the second life to check in', async () => (await status()).lastCheckinAt ?? undefined, second.log);
    await stopped(second.child, 'SIGTERM');

    // Third life: nothing more to report, nothing to run.
    const third = startAgent(stateDir);
    await until('the third life to check in', async () => ((await status()).lastCheckinAt !== secondCheckin ? true : undefined), third.log);
    await stopped(third.child, 'SIGTERM');
    expect((await scriptResults()).map((l) => l.result!.status)).toEqual(['interrupted']);
    expect(lines(started)).toHaveLength(1);
    await waitUntil('the time the script would have written its late marker', () => Date.now() > killedAt + LATE_AFTER_S * 1000 + 1000, LATE_AFTER_S * 1000 + 5000);
    expect(lines(late)).toEqual([]);
    // Three agent lives, each a process start, and an 8 s wait: well past the default 30 s on a loaded machine.
  }, 120_000);
});
