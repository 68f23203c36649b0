// The script runner against real processes: results, interpreters, limits, stdin, environment, working folder, identity.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScriptUserSource } from '../../src/agent/runner/console-user';
import { findPasswdUser } from '../../src/agent/runner/local-users';
import type { Spawner } from '../../src/agent/core/ports';
import { tempDir } from './agent-test-kit';
import { realRunner, runRequest, spawnerWith } from './runner-test-kit';

const hasPython = existsSync('/usr/bin/python3');
const isRoot = process.getuid?.() === 0;
const hasNobody = isRoot && existsSync('/etc/passwd');

describe('ScriptRunner results', () => {
  it.each([
    { name: 'exit 0', script: 'echo ok', status: 'completed', exitCode: 0, signal: null, error: null },
    { name: 'exit 3', script: 'exit 3', status: 'failed', exitCode: 3, signal: null, error: null },
    { name: 'exit 255', script: 'exit 255', status: 'failed', exitCode: 255, signal: null, error: null },
    { name: 'SIGKILL', script: 'kill -KILL $$', status: 'failed', exitCode: null, signal: 'SIGKILL', error: 'the script was ended by SIGKILL' },
    { name: 'SIGSEGV', script: 'kill -SEGV $$', status: 'failed', exitCode: null, signal: 'SIGSEGV', error: 'the script was ended by SIGSEGV' },
    { name: 'SIGTERM from itself', script: 'kill -TERM $$', status: 'failed', exitCode: null, signal: 'SIGTERM', error: 'the script was ended by SIGTERM' },
  ])('reports $name by its name, never as a fake exit code', async ({ script, status, exitCode, signal, error }) => {
    const { runner } = await realRunner();
    const result = await runner.run(runRequest(script));
    expect(result).toMatchObject({ status, exitCode, signal, error, timedOut: false });
  });

  it('keeps stdout and stderr apart, with byte counts and hashes', async () => {
    const { runner } = await realRunner();
    const result = await runner.run(runRequest('echo to-out\necho to-err >&2\necho more-out'));
    expect(result).toMatchObject({ stdout: 'to-out\nmore-out\n', stderr: 'to-err\n', stdoutBytes: 16, stderrBytes: 7, stdoutTruncated: false, stderrTruncated: false, error: null });
    expect(result.stdoutSha256).toBe(createHash('sha256').update('to-out\nmore-out\n').digest('hex'));
    expect(result.stderrSha256).toBe(createHash('sha256').update('to-err\n').digest('hex'));
  });

  it('reports start, end and duration', async () => {
    const { runner } = await realRunner();
    const before = Date.now();
    const result = await runner.run(runRequest('sleep 0.2'));
    const started = Date.parse(result.startedAt);
    const ended = Date.parse(result.endedAt);
    expect(started).toBeGreaterThanOrEqual(before - 1);
    expect(ended - started).toBe(result.durationMs);
    expect(result.durationMs).toBeGreaterThanOrEqual(200);
  });

  it.skipIf(!hasPython)('runs python scripts with python3', async () => {
    const { runner } = await realRunner();
    const result = await runner.run(runRequest('import sys\nprint("py", sys.version_info[0])', { interpreter: 'python' }));
    expect(result).toMatchObject({ status: 'completed', stdout: 'py 3\n' });
  });

  it.each([
    { interpreter: 'zsh' as const, command: 'zsh' },
    { interpreter: 'swift' as const, command: 'swift' },
    { interpreter: 'python' as const, command: 'python3' },
  ])('reports a missing $command as a result with a clear error, not a crash', async ({ interpreter, command }) => {
    const asked: string[] = [];
    const spawner = spawnerWith({
      findExecutable: async (name) => {
        asked.push(name);
        return null;
      },
    });
    const { runner } = await realRunner({ spawner });
    const result = await runner.run(runRequest('echo hi', { interpreter }));
    expect(asked).toEqual([command]);
    expect(result).toMatchObject({ status: 'failed', exitCode: null, signal: null, stdout: '', error: `interpreter ${command} not found in /usr/bin:/bin:/usr/sbin:/sbin` });
  });

  it.skipIf(existsSync('/bin/zsh') || existsSync('/usr/bin/zsh'))('reports zsh missing from this machine', async () => {
    const { runner } = await realRunner();
    const result = await runner.run(runRequest('echo hi', { interpreter: 'zsh' }));
    expect(result.error).toMatch(/^interpreter zsh not found/);
  });

  it.each([
    { name: 'a zero max run time', overrides: { maxRunTimeSeconds: 0 }, error: 'max run time 0 s is not a positive number of seconds' },
    { name: 'a NaN max run time', overrides: { maxRunTimeSeconds: Number.NaN }, error: 'max run time NaN s is not a positive number of seconds' },
    { name: 'a zero max response size', overrides: { maxResponseSizeKb: 0 }, error: 'max response size 0 KB is not a whole number from 1 to 1024' },
    { name: 'a huge max response size', overrides: { maxResponseSizeKb: 4096 }, error: 'max response size 4096 KB is not a whole number from 1 to 1024' },
  ])('refuses $name without running anything', async ({ overrides, error }) => {
    const { runner, tempRoot } = await realRunner();
    const result = await runner.run(runRequest(`touch ${join(tempRoot, 'ran')}`, overrides));
    expect(result).toMatchObject({ status: 'failed', error });
    expect(existsSync(join(tempRoot, 'ran'))).toBe(false);
  });
});

describe('ScriptRunner isolation', () => {
  it('gives the script /dev/null as stdin, never the agent\'s', async () => {
    const { runner } = await realRunner();
    const result = await runner.run(runRequest('if [ /dev/stdin -ef /dev/null ]; then echo devnull; fi\nread -r line; echo "read=$? line=[$line]"\ncat; echo cat-done'));
    expect(result).toMatchObject({ status: 'completed', stdout: 'devnull\nread=1 line=[]\ncat-done\n' });
  });

  it('gives the script its documented environment and nothing of the agent', async () => {
    const { runner, tempRoot } = await realRunner();
    process.env.ATWORK_TEST_SECRET = 'leak';
    try {
      const executionId = randomUUID();
      // One variable a line: none of these values holds a newline, and NUL would make the output binary (base64).
      const result = await runner.run(runRequest('env', { interpreter: 'bash', executionId, variables: { GREETING: 'hi' } }));
      const env = Object.fromEntries(result.stdout.split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
      expect(env).toMatchObject({ LANG: 'en_US.UTF-8', ATWORK_DEVICE_ID: 'device-1', ATWORK_EXECUTION_ID: executionId, GREETING: 'hi' });
      expect(env.PATH).toBe(isRoot ? '/usr/bin:/bin:/usr/sbin:/sbin' : '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin');
      expect(env.TMPDIR!.startsWith(join(tempRoot, 'atwork-run-'))).toBe(true);
      expect(env.USER).toBeTruthy();
      expect(env.LOGNAME).toBe(env.USER);
      expect(env.HOME).toBeTruthy();
      // bash itself adds PWD, SHLVL and _; everything else came from the runner.
      const documented = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'TMPDIR', 'ATWORK_DEVICE_ID', 'ATWORK_EXECUTION_ID', 'GREETING', 'PWD', 'SHLVL', '_'];
      expect(Object.keys(env).filter((name) => !documented.includes(name))).toEqual([]);
    } finally {
      delete process.env.ATWORK_TEST_SECRET;
    }
  });

  it('runs in a private 0700 working folder holding only the script, removed afterwards', async () => {
    const { runner, tempRoot } = await realRunner();
    const result = await runner.run(runRequest('pwd\nstat -c "%a %U" "$PWD"\nls -A "$PWD"\nstat -c "%a" script.sh\ntouch left-behind\nmkdir -p sub/deeper'));
    const [dir, folderMode, listing, fileMode] = result.stdout.split('\n');
    expect(dir!.startsWith(join(tempRoot, 'atwork-run-'))).toBe(true);
    expect(folderMode).toMatch(/^700 /);
    expect(listing).toBe('script.sh');
    expect(fileMode).toBe('600');
    expect(existsSync(dir!)).toBe(false);
  });

  it('removes the working folder of a script that timed out', async () => {
    const { runner } = await realRunner({ killGraceMs: 200 });
    const result = await runner.run(runRequest('pwd\nwhile :; do touch "f$RANDOM"; done', { maxRunTimeSeconds: 0.5 }));
    expect(result.timedOut).toBe(true);
    expect(existsSync(result.stdout.split('\n')[0]!)).toBe(false);
  });

  it('reports a working folder it cannot create as a result', async () => {
    const { runner } = await realRunner({ tempRoot: '/nonexistent/atwork' });
    const result = await runner.run(runRequest('echo hi'));
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/^could not start the script: ENOENT/);
  });
});

describe('ScriptRunner identity', () => {
  const consoleUser = (answer: () => ReturnType<ScriptUserSource['currentUser']>): ScriptUserSource & { asked: number } => {
    const source = { asked: 0, currentUser: () => (source.asked++, answer()) };
    return source;
  };

  it('refuses a "Run as root" script when the agent is not root', async () => {
    const spawner: Spawner = spawnerWith({ currentUid: () => 501 });
    const { runner, tempRoot } = await realRunner({ spawner });
    const result = await runner.run(runRequest(`touch ${join(tempRoot, 'ran')}`, { runAsRoot: true }));
    expect(result).toMatchObject({ status: 'failed', error: 'the script must run as root but the agent runs as uid 501; install the agent as the root LaunchDaemon' });
    expect(existsSync(join(tempRoot, 'ran'))).toBe(false);
  });

  it('runs a script as the agent when the agent is not root, without asking for a console user', async () => {
    const users = consoleUser(async () => ({ uid: 65534, gid: 65534, name: 'nobody' }));
    const { runner } = await realRunner({ spawner: spawnerWith({ currentUid: () => 501 }), userSource: users });
    const result = await runner.run(runRequest('id -u'));
    expect(result.stdout).toBe(`${process.getuid!()}\n`);
    expect(users.asked).toBe(0);
  });

  it('does not run a user script when nobody is logged in', async () => {
    const { runner, tempRoot } = await realRunner({ spawner: spawnerWith({ currentUid: () => 0 }), userSource: consoleUser(async () => null) });
    const result = await runner.run(runRequest(`touch ${join(tempRoot, 'ran')}`));
    expect(result).toMatchObject({ status: 'failed', error: 'nobody is logged in, so the script was not run; it runs as the logged-in user unless it is "Run as root"' });
    expect(existsSync(join(tempRoot, 'ran'))).toBe(false);
  });

  it('reports a console user lookup that fails', async () => {
    const { runner } = await realRunner({ spawner: spawnerWith({ currentUid: () => 0 }), userSource: consoleUser(async () => Promise.reject(new Error('/usr/bin/stat failed: boom'))) });
    const result = await runner.run(runRequest('echo hi'));
    expect(result.error).toBe('could not find the user to run the script as: /usr/bin/stat failed: boom');
  });

  it.skipIf(!hasNobody)('runs a script as the console user with that user\'s uid, gid, HOME and USER, and no other groups', async () => {
    const nobody = (await findPasswdUser('nobody'))!;
    const users = consoleUser(async () => nobody);
    const { runner, tempRoot } = await realRunner({ userSource: users });
    // The per-run folder becomes the user's; its parent must let the user in.
    await chmod(tempRoot, 0o755);
    const asUser = await runner.run(runRequest('id -u\nid -g\nid -G\necho "$USER $LOGNAME $HOME $PATH"\nstat -c %U "$PWD"\ntouch "$TMPDIR/mine" && echo can-write'));
    expect(asUser).toMatchObject({ status: 'completed', error: null });
    expect(asUser.stdout).toBe(`${nobody.uid}\n${nobody.gid}\n${nobody.gid}\nnobody nobody ${nobody.home} /usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin\nnobody\ncan-write\n`);
    expect(users.asked).toBe(1);

    const asRoot = await runner.run(runRequest('id -u\necho "$PATH"', { runAsRoot: true }));
    expect(asRoot).toMatchObject({ status: 'completed', stdout: '0\n/usr/bin:/bin:/usr/sbin:/sbin\n' });
    expect(users.asked).toBe(1);
  });

  it.skipIf(!hasNobody)('keeps a user script out of the agent\'s files', async () => {
    const nobody = (await findPasswdUser('nobody'))!;
    const { runner, tempRoot } = await realRunner({ runAsUser: nobody });
    await chmod(tempRoot, 0o755);
    const secrets = await tempDir();
    const result = await runner.run(runRequest(`cat ${join(secrets, 'x')} 2>/dev/null; echo "rc=$?"; touch /root/atwork-test 2>/dev/null; echo "rc=$?"`));
    expect(result.stdout).toBe('rc=1\nrc=1\n');
  });
});
