// The script runner against real processes: results, watchdog, output caps, variable injection, working folder, identity.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NodeSpawner } from '../../src/agent/node-spawner';
import type { Spawner } from '../../src/agent/ports';
import { ScriptRunner, type ScriptRunRequest, type ScriptRunnerOptions } from '../../src/agent/script-runner';
import { systemClock } from '../../src/agent/system-clock';
import { isAlive, recordingLogger, tempDir, waitUntil } from './agent-test-kit';

const hasPython = existsSync('/usr/bin/python3');
const hasZsh = existsSync('/bin/zsh') || existsSync('/usr/bin/zsh');

async function runner(overrides: Partial<ScriptRunnerOptions> = {}): Promise<{ runner: ScriptRunner; tempRoot: string }> {
  const tempRoot = await tempDir();
  const options: ScriptRunnerOptions = { spawner: new NodeSpawner(), clock: systemClock, logger: recordingLogger(), tempRoot, ...overrides };
  return { runner: new ScriptRunner(options), tempRoot };
}

function request(script: string, overrides: Partial<ScriptRunRequest> = {}): ScriptRunRequest {
  return {
    executionId: randomUUID(),
    deviceId: 'device-1',
    interpreter: 'bash',
    script: Buffer.from(script),
    variables: {},
    runAsRoot: false,
    maxRunTimeSeconds: 30,
    maxResponseSizeKb: 1,
    ...overrides,
  };
}

describe('ScriptRunner results', () => {
  it.each([
    { name: 'exit 0', script: 'echo ok', status: 'completed', exitCode: 0, signal: null },
    { name: 'exit 3', script: 'exit 3', status: 'failed', exitCode: 3, signal: null },
    { name: 'killed by a signal', script: 'kill -KILL $$', status: 'failed', exitCode: null, signal: 'SIGKILL' },
  ])('reports $name', async ({ script, status, exitCode, signal }) => {
    const { runner: r } = await runner();
    const result = await r.run(request(script));
    expect(result).toMatchObject({ status, exitCode, signal, timedOut: false });
  });

  it('keeps stdout and stderr apart, with byte counts and hashes', async () => {
    const { runner: r } = await runner();
    const result = await r.run(request('echo to-out\necho to-err >&2\necho more-out'));
    expect(result.stdout).toBe('to-out\nmore-out\n');
    expect(result.stderr).toBe('to-err\n');
    expect(result.stdoutBytes).toBe(16);
    expect(result.stderrBytes).toBe(7);
    expect(result.stdoutSha256).toBe(createHash('sha256').update('to-out\nmore-out\n').digest('hex'));
    expect(result.error).toBeNull();
  });

  it.skipIf(!hasPython)('runs python scripts with python3', async () => {
    const { runner: r } = await runner();
    const result = await r.run(request('import sys\nprint("py", sys.version_info[0])', { interpreter: 'python' }));
    expect(result).toMatchObject({ status: 'completed', stdout: 'py 3\n' });
  });

  it.skipIf(hasZsh)('reports a missing interpreter as a failed result', async () => {
    const { runner: r } = await runner();
    const result = await r.run(request('echo hi', { interpreter: 'zsh' }));
    expect(result).toMatchObject({ status: 'failed', error: 'interpreter zsh not found', exitCode: null, stdout: '' });
  });

  it('reports an interpreter its spawner cannot find, whatever is installed', async () => {
    const real = new NodeSpawner();
    const spawner: Spawner = { ...bind(real), findExecutable: async () => null };
    const { runner: r } = await runner({ spawner });
    const result = await r.run(request('print(1)', { interpreter: 'python' }));
    expect(result).toMatchObject({ status: 'failed', error: 'interpreter python3 not found' });
  });
});

describe('ScriptRunner watchdog', () => {
  it('times out and kills the whole process group, background children included', async () => {
    const { runner: r } = await runner();
    const started = Date.now();
    const result = await r.run(request('sleep 300 &\necho $!\nwait', { maxRunTimeSeconds: 1 }));
    expect(result.status).toBe('timed_out');
    expect(result.timedOut).toBe(true);
    expect(result.exitCode).toBeNull();
    expect(result.signal).toBe('SIGTERM');
    expect(Date.now() - started).toBeLessThan(6000);
    const sleepPid = Number(result.stdout.trim());
    expect(sleepPid).toBeGreaterThan(0);
    await waitUntil('the background sleep to die', () => !isAlive(sleepPid));
  });

  it('escalates to SIGKILL when the script ignores SIGTERM', async () => {
    const { runner: r } = await runner({ killGraceMs: 300 });
    const result = await r.run(request("trap '' TERM\nwhile true; do :; done", { maxRunTimeSeconds: 1 }));
    expect(result).toMatchObject({ status: 'timed_out', signal: 'SIGKILL', exitCode: null });
  });

  it('does not wait for grandchildren that keep stdout open after the script exits', async () => {
    const { runner: r } = await runner();
    const started = Date.now();
    const result = await r.run(request('( sleep 300; echo late ) &\necho "grandchild $!"\nexit 0', { maxRunTimeSeconds: 60 }));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result).toMatchObject({ status: 'completed', exitCode: 0, timedOut: false });
    const pid = Number(/grandchild (\d+)/.exec(result.stdout)?.[1]);
    await waitUntil('the grandchild to be killed', () => !isAlive(pid));
  });
});

describe('ScriptRunner output', () => {
  it('keeps head and tail within the max response size and counts every byte', async () => {
    const { runner: r } = await runner();
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i}`).join('\n');
    const full = `START\n${lines}\nEND\n`;
    const result = await r.run(request(`echo START\nfor i in $(seq 0 19999); do echo "line $i"; done\necho END\necho err-head >&2; head -c 5000 /dev/zero | tr '\\0' e >&2; echo err-tail >&2`));
    expect(result.stdoutBytes).toBe(Buffer.byteLength(full));
    expect(result.stdoutSha256).toBe(createHash('sha256').update(full).digest('hex'));
    expect(result.stderrBytes).toBe(9 + 5000 + 9);
    expect(result.stdoutTruncated).toBe(true);
    expect(result.stderrTruncated).toBe(true);
    expect(Buffer.byteLength(result.stdout) + Buffer.byteLength(result.stderr)).toBeLessThanOrEqual(1024);
    expect(result.stdout.startsWith('START\nline 0\n')).toBe(true);
    expect(result.stdout.endsWith('line 19999\nEND\n')).toBe(true);
    expect(result.stdout).toMatch(/\n…\[truncated \d+ bytes\]…\n/);
    const omitted = Number(/truncated (\d+) bytes/.exec(result.stdout)?.[1]);
    const shown = Buffer.byteLength(result.stdout) - Buffer.byteLength(`\n…[truncated ${omitted} bytes]…\n`);
    expect(omitted + shown).toBe(result.stdoutBytes);
    expect(result.stderr.startsWith('err-head\n')).toBe(true);
    expect(result.stderr.endsWith('err-tail\n')).toBe(true);
  });

  it('cuts multi-byte characters only on character boundaries', async () => {
    const { runner: r } = await runner();
    const result = await r.run(request("for i in $(seq 1 700); do printf 'é€😀'; done", { maxResponseSizeKb: 1 }));
    expect(result.stdoutBytes).toBe(700 * 9);
    expect(result.stdout).not.toContain('\uFFFD');
    expect(Buffer.from(result.stdout, 'utf8').toString('utf8')).toBe(result.stdout);
    expect(Buffer.byteLength(result.stdout)).toBeLessThanOrEqual(1024);
    expect(result.stdout.startsWith('é€😀')).toBe(true);
    expect(result.stdout.endsWith('😀')).toBe(true);
  });
});

describe('ScriptRunner isolation', () => {
  it('passes variables as inert environment values, never as script text', async () => {
    const { runner: r } = await runner();
    const marker = await tempDir();
    const variables = {
      SUBST: `$(touch ${join(marker, 'subst')})`,
      QUOTES: `'; touch ${join(marker, 'quotes')}; '`,
      BACKTICKS: `\`touch ${join(marker, 'ticks')}\``,
    };
    const result = await r.run(request('printf "%s\\n" "$SUBST" "$QUOTES" "$BACKTICKS"\necho $SUBST $QUOTES', { variables }));
    expect(result.status).toBe('completed');
    expect(result.stdout.split('\n').slice(0, 3)).toEqual([variables.SUBST, variables.QUOTES, variables.BACKTICKS]);
    for (const name of ['subst', 'quotes', 'ticks']) expect(existsSync(join(marker, name))).toBe(false);
  });

  it('gives the script a minimal environment and nothing of the agent', async () => {
    const { runner: r } = await runner();
    process.env.ATWORK_TEST_SECRET = 'leak';
    try {
      const executionId = randomUUID();
      const result = await r.run(request('env', { executionId, variables: { GREETING: 'hi' } }));
      const env = Object.fromEntries(result.stdout.trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
      expect(env).toMatchObject({ PATH: '/usr/bin:/bin:/usr/sbin:/sbin', LANG: 'en_US.UTF-8', ATWORK_DEVICE_ID: 'device-1', ATWORK_EXECUTION_ID: executionId, GREETING: 'hi' });
      expect(env.HOME).toBeTruthy();
      expect(env.USER).toBeTruthy();
      expect(Object.keys(env).sort()).toEqual(['ATWORK_DEVICE_ID', 'ATWORK_EXECUTION_ID', 'GREETING', 'HOME', 'LANG', 'OLDPWD', 'PATH', 'PWD', 'SHLVL', 'USER', '_'].filter((k) => k in env).sort());
      expect(env.ATWORK_TEST_SECRET).toBeUndefined();
    } finally {
      delete process.env.ATWORK_TEST_SECRET;
    }
  });

  it.each(['PATH', 'BASH_ENV', 'LD_PRELOAD', 'DYLD_INSERT_LIBRARIES', 'ATWORK_DEVICE_ID'])('refuses a ticket variable named %s', async (name) => {
    const { runner: r, tempRoot } = await runner();
    const marker = join(tempRoot, 'ran');
    const result = await r.run(request(`touch ${marker}`, { variables: { [name]: 'x' } }));
    expect(result).toMatchObject({ status: 'failed', error: `variable ${name} is reserved and the script was not run; rename the variable` });
    expect(existsSync(marker)).toBe(false);
  });

  it('runs in a private 0700 working folder that is removed afterwards', async () => {
    const { runner: r, tempRoot } = await runner();
    const result = await r.run(request('pwd\nls -ld "$PWD"\nls -l "$PWD"'));
    const [dir, mode] = result.stdout.split('\n');
    expect(dir!.startsWith(tempRoot)).toBe(true);
    expect(mode).toMatch(/^drwx------/);
    expect(result.stdout).toMatch(/-rw------- .* script\.sh/);
    expect(existsSync(dir!)).toBe(false);
  });

  it('refuses a "Run as root" script when the agent is not root', async () => {
    const spawner: Spawner = { ...bind(new NodeSpawner()), currentUid: () => 501 };
    const { runner: r, tempRoot } = await runner({ spawner });
    const marker = join(tempRoot, 'ran');
    const result = await r.run(request(`touch ${marker}`, { runAsRoot: true }));
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/must run as root but the agent runs as uid 501/);
    expect(existsSync(marker)).toBe(false);
  });

  it.skipIf(process.getuid?.() !== 0)('drops to the configured user for scripts that are not "Run as root"', async () => {
    const { runner: r, tempRoot } = await runner({ runAsUser: { uid: 65534, gid: 65534, name: 'nobody', home: '/' } });
    // The per-run folder is the user's, but its parent must let the user in.
    await chmod(tempRoot, 0o755);
    const asUser = await r.run(request('id -u\necho "$USER $HOME"'));
    expect(asUser).toMatchObject({ status: 'completed', stdout: '65534\nnobody /\n' });
    const asRoot = await r.run(request('id -u', { runAsRoot: true }));
    expect(asRoot).toMatchObject({ status: 'completed', stdout: '0\n' });
  });
});

/** The methods of a class instance as a plain object, so a test can replace one of them. */
function bind(spawner: NodeSpawner): Spawner {
  return {
    findExecutable: spawner.findExecutable.bind(spawner),
    spawn: spawner.spawn.bind(spawner),
    killGroup: spawner.killGroup.bind(spawner),
    currentUid: spawner.currentUid.bind(spawner),
  };
}
