// The `atwork-agent exec` contract, run as a real process through the bin shim: one JSON object, exit 0 for a result, 2 for usage.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isAlive, tempDir } from './agent-test-kit';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/atwork-agent.js');
const isRoot = process.getuid?.() === 0;
const hasSwift = existsSync('/usr/bin/swift');
const missingEscapeTools = ['setsid', 'python3', 'perl', 'tmux'].filter((tool) => !existsSync(`/usr/bin/${tool}`));

async function exec(args: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, 'exec', ...args], { cwd, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function scriptFile(body: string, name = 'script.sh'): Promise<string> {
  const file = join(await tempDir(), name);
  await writeFile(file, body);
  return file;
}

/** The one JSON object exec printed, after checking stdout holds nothing else. */
function result(stdout: string): Record<string, unknown> {
  const lines = stdout.split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[1]).toBe('');
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

describe('atwork-agent exec', () => {
  it('prints exactly one JSON object with the contract fields and exits 0 whatever the script exits with', async () => {
    const { code, stdout } = await exec([await scriptFile('echo out\necho err >&2\nexit 3')]);
    expect(code).toBe(0);
    const printed = result(stdout);
    expect(printed).toMatchObject({ exitCode: 3, signal: null, timedOut: false, stdout: 'out\n', stderr: 'err\n', stdoutBytes: 4, stderrBytes: 4, stdoutTruncated: false, stderrTruncated: false, error: null });
    expect(typeof printed.durationMs).toBe('number');
    expect(printed.executionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('applies --max-run-time and --grace to the whole process group', async () => {
    const started = Date.now();
    const { code, stdout } = await exec(['--max-run-time', '1', '--grace', '0.3', await scriptFile("trap '' TERM\n( trap '' TERM; sleep 300 ) &\nwhile :; do sleep 0.05; done")]);
    expect(code).toBe(0);
    expect(result(stdout)).toMatchObject({ exitCode: null, signal: 'SIGKILL', timedOut: true });
    expect(Date.now() - started).toBeLessThan(1000 + 300 + 5000);
  });

  it.skipIf(process.platform !== 'linux')('leaves no process of the script running once exec returns, however it left the session or group (issue 9)', async () => {
    expect(missingEscapeTools, 'apt-get install these for this test').toEqual([]);
    const dir = await tempDir();
    const sleeper = join(dir, 'sleeper.sh');
    await writeFile(sleeper, `echo $$ >> ${join(dir, 'pids')}\nexec sleep 300\n`, { mode: 0o755 });
    const escapes = [
      `setsid sh ${sleeper} &`,
      `(set -m; sh ${sleeper} &)`,
      `python3 -c 'import os; os.setpgid(0, 0); os.execv("/bin/sh", ["sh", "${sleeper}"])' &`,
      `perl -e 'setpgrp(0, 0); exec "/bin/sh", "${sleeper}"' &`,
      `tmux -f /dev/null -L atwork-exec-${process.pid} new -d "sh ${sleeper}"`,
    ];
    const started = Date.now();
    const { stdout } = await exec(['--max-run-time', '2', '--grace', '0.3', await scriptFile(`${escapes.join('\n')}\nwhile [ $(wc -l < ${join(dir, 'pids')} 2>/dev/null || echo 0) -lt ${escapes.length} ]; do sleep 0.05; done\nsleep 300`)]);
    expect(result(stdout)).toMatchObject({ timedOut: true });
    expect(Date.now() - started).toBeLessThan(2000 + 300 + 5000);
    const pids = readFileSync(join(dir, 'pids'), 'utf8').split('\n').filter(Boolean).map(Number);
    expect(pids).toHaveLength(escapes.length);
    expect(pids.filter(isAlive)).toEqual([]);
    await rm(`/tmp/tmux-${process.getuid!()}/atwork-exec-${process.pid}`, { force: true });
  });

  it('caps the output at --max-response-size and reports the bytes the script wrote', async () => {
    const { stdout } = await exec(['--max-response-size', '2', await scriptFile('head -c 100000 /dev/zero | tr "\\0" a\nhead -c 3000 /dev/zero | tr "\\0" b >&2')]);
    const printed = result(stdout);
    expect(printed).toMatchObject({ stdoutBytes: 100_000, stderrBytes: 3000, stdoutTruncated: true, stderrTruncated: true });
    expect(Buffer.byteLength(printed.stdout as string) + Buffer.byteLength(printed.stderr as string)).toBeLessThanOrEqual(2048);
  });

  it('passes --var values as inert environment variables and placeholders', async () => {
    const dir = await tempDir();
    const value = `$(touch ${join(dir, 'ran')}); '; touch ${join(dir, 'ran')}; '`;
    const { stdout } = await exec(['--var', `GREETING=${value}`, '--var', 'EMPTY=', await scriptFile('printf "%s|%s|%s" "{$GREETING}" "$GREETING" "{$EMPTY}"')]);
    expect(result(stdout)).toMatchObject({ exitCode: 0, stdout: `${value}|${value}|` });
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it('takes the script type from the file extension unless --type says otherwise', async () => {
    const py = await exec([await scriptFile('import sys\nprint(sys.version_info[0])', 'check.py')]);
    expect(result(py.stdout)).toMatchObject({ exitCode: 0, stdout: '3\n' });
    const asBash = await exec(['--type', 'bash', await scriptFile('echo "$BASH_VERSION" | cut -c1', 'check.py')]);
    expect(result(asBash.stdout)).toMatchObject({ exitCode: 0 });
    expect(result(asBash.stdout).stdout).toMatch(/^\d\n$/);
  });

  it.skipIf(hasSwift)('reports a missing interpreter as a result, not a usage error', async () => {
    const { code, stdout } = await exec(['--type', 'swift', await scriptFile('print("hi")', 'hello.swift')]);
    expect(code).toBe(0);
    expect(result(stdout)).toMatchObject({ exitCode: null, signal: null, timedOut: false, stdout: '', stdoutBytes: 0, error: 'interpreter swift not found in /usr/bin:/bin:/usr/sbin:/sbin' });
  });

  it.skipIf(!isRoot)('runs as root with --run-as-root and as a local user with --user', async () => {
    const file = await scriptFile('id -u');
    expect(result((await exec(['--run-as-root', file])).stdout)).toMatchObject({ stdout: '0\n' });
    expect(result((await exec(['--user', 'nobody', file])).stdout)).toMatchObject({ stdout: '65534\n' });
  });

  const usageErrors = [
    { name: 'no file', args: [], message: "error: missing required argument 'file'" },
    { name: 'a missing file', args: ['/nonexistent/script.sh'], message: 'atwork-agent exec: cannot read /nonexistent/script.sh: ENOENT' },
    { name: 'a folder', args: ['/'], message: 'atwork-agent exec: / is not a file' },
    { name: 'an unknown option', args: ['--bogus', 'x.sh'], message: "error: unknown option '--bogus'" },
    { name: 'an unknown type', args: ['--type', 'perl', 'x.sh'], message: 'atwork-agent exec: option --type: ' },
    { name: 'a bad max run time', args: ['--max-run-time', '0', 'x.sh'], message: 'atwork-agent exec: option --max-run-time: must be a number of seconds above 0 and at most 86400' },
    { name: 'a fractional max response size', args: ['--max-response-size', '1.5', 'x.sh'], message: 'atwork-agent exec: option --max-response-size: must be a whole number of KB from 1 to 1024' },
    { name: 'a negative grace', args: ['--grace', '-1', 'x.sh'], message: 'atwork-agent exec: option --grace: must be a number of seconds from 0 to 600' },
    { name: 'a --var without =', args: ['--var', 'NAME', 'x.sh'], message: "error: option '--var <name=value>' argument 'NAME' is invalid. expected NAME=VALUE." },
    { name: 'a --var with a bad name', args: ['--var', '1A=x', 'x.sh'], message: 'atwork-agent exec: --var "1A=x": "1A" is not a valid variable name' },
    { name: 'an unknown --user', args: ['--user', 'no-such-user-here', 'x.sh'], message: 'atwork-agent exec: --user: there is no local user no-such-user-here' },
  ];

  it('exits 2 with one clear line and no JSON for each usage error', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'x.sh'), 'echo ran');
    // In parallel: each is a fresh Node process, and only the answers matter here.
    const answers = await Promise.all(usageErrors.map(({ args }) => exec(args, dir)));
    for (const [i, { name, message }] of usageErrors.entries()) {
      const { code, stdout, stderr } = answers[i]!;
      expect({ name, code, stdout, stderr: stderr.slice(0, message.length) }).toEqual({ name, code: 2, stdout: '', stderr: message });
    }
  });
});
