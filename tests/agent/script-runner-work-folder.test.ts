// Issue 9 item 1: removing a run's working folder never follows a link the script's user planted or raced in, and never deletes as root.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, lstat, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPasswdUser, type RunAsUser } from '../../src/agent/runner/local-users';
import { recordingLogger, tempDir } from './agent-test-kit';
import { realRunner, runRequest } from './runner-test-kit';

const isRoot = process.getuid?.() === 0;
const CANARY_FILES = 3000;
const TRIES = 4;

/** A root-owned folder outside every run, holding f1..f3000 (the names the script uses) and one more file. */
async function canary(): Promise<string> {
  const dir = await tempDir('atwork-canary-');
  await chmod(dir, 0o755);
  await Promise.all(Array.from({ length: CANARY_FILES }, (_, i) => writeFile(join(dir, `f${i + 1}`), 'root')));
  await writeFile(join(dir, 'precious'), 'root');
  return dir;
}

function canaryIntact(dir: string): boolean {
  return existsSync(join(dir, 'precious')) && readdirSync(dir).length === CANARY_FILES + 1;
}

async function nobody(): Promise<RunAsUser> {
  const user = await findPasswdUser('nobody');
  if (user === null) throw new Error('these tests need the nobody user in /etc/passwd');
  return user;
}

/**
 * The attack of the report, run as the script's user but outside the run (so the watchdog cannot end it first): once
 * the script ended and the removal of d/ has begun, rename d and put a link to the canary in its place.
 */
function racingHelper(user: RunAsUser, markers: string, canaryDir: string): Promise<void> {
  const script = [
    'while [ ! -s "$M/pid" ]; do sleep 0.01; done',
    'W=$(cat "$M/dir"); P=$(cat "$M/pid")',
    'while kill -0 "$P" 2>/dev/null; do sleep 0.005; done',
    'while [ -e "$W/d/f1" ] && [ -e "$W/d/f1500" ] && [ -e "$W/d/f3000" ]; do [ -d "$W" ] || exit 0; done',
    'mv "$W/d" "$W/d-moved" && ln -s "$CANARY" "$W/d" && echo swapped > "$M/swapped"',
  ].join('\n');
  const helper = spawn('/bin/sh', ['-c', script], { uid: user.uid, gid: user.gid, env: { M: markers, CANARY: canaryDir, PATH: '/usr/bin:/bin' }, stdio: 'ignore' });
  return new Promise((resolve) => helper.once('exit', () => resolve()));
}

describe.skipIf(!isRoot)('ScriptRunner working folder removal (needs root and the nobody user)', () => {
  it(`never deletes through a link swapped in while d/ with ${CANARY_FILES} files is being removed (${TRIES} tries)`, async () => {
    const user = await nobody();
    const canaryDir = await canary();
    const { runner, tempRoot } = await realRunner({ runAsUser: user });
    await chmod(tempRoot, 0o755);
    let swaps = 0;
    for (let attempt = 1; attempt <= TRIES; attempt++) {
      const markers = await tempDir();
      await chmod(markers, 0o777);
      const helper = racingHelper(user, markers, canaryDir);
      const result = await runner.run(
        runRequest(`pwd > "$M/dir"\nmkdir d\nfor i in $(seq ${CANARY_FILES}); do : > "d/f$i"; done\necho $$ > "$M/pid"`, { variables: { M: markers } }),
      );
      expect(result).toMatchObject({ status: 'completed', error: null });
      await helper;
      if (existsSync(join(markers, 'swapped'))) swaps++;
      expect({ attempt, intact: canaryIntact(canaryDir) }).toEqual({ attempt, intact: true });
    }
    // Otherwise the removal always won the race and the test proved nothing.
    expect(swaps).toBeGreaterThan(0);
  });

  it.each([
    { who: 'the nobody user', asUser: true },
    { who: 'the agent itself', asUser: false },
  ])('never follows links planted by a script running as $who, and keeps its folder where it was made', async ({ asUser }) => {
    const canaryDir = await canary();
    const { runner, tempRoot } = await realRunner(asUser ? { runAsUser: await nobody() } : {});
    await chmod(tempRoot, 0o755);
    const script = [
      'stat -c "%a %U" ..',
      'ln -s "$CANARY" link; mkdir -p sub/deeper; ln -s "$CANARY" sub/deeper/link; ln -s "$CANARY/precious" file-link',
      asUser ? 'mv "$PWD" "$PWD.moved" 2>/dev/null; echo "move=$?"' : 'echo move=1',
      'pwd >&2',
    ].join('\n');
    const result = await runner.run(runRequest(script, { variables: { CANARY: canaryDir } }));
    expect(result.stdout).toBe(`${asUser ? '711' : '700'} root\nmove=1\n`);
    const workDir = result.stderr.trim();
    expect(workDir.startsWith(join(tempRoot, 'atwork-run-'))).toBe(true);
    expect(canaryIntact(canaryDir)).toBe(true);
    expect(existsSync(dirname(workDir))).toBe(false);
  });

  it('leaves only the user\'s own files when the user kept some from the removal, and says so', async () => {
    const user = await nobody();
    const logger = recordingLogger();
    const { runner, tempRoot } = await realRunner({ runAsUser: user, logger });
    await chmod(tempRoot, 0o755);
    const result = await runner.run(runRequest('mkdir keep\n: > keep/f\nchmod 500 keep\npwd'));
    expect(result.status).toBe('completed');
    const workDir = result.stdout.trim();
    const left = logger.lines.find((line) => line.message.startsWith('left a script working folder'));
    expect(left?.fields).toMatchObject({ workDir, reason: 'ENOTEMPTY' });
    const owners = await Promise.all(['keep', 'keep/f'].map(async (name) => (await lstat(join(workDir, name))).uid));
    expect(owners).toEqual([user.uid, user.uid]);
    expect(readdirSync(workDir)).toEqual(['keep']);
  });

  it('refuses a temp root the script user could swap the run folder in', async () => {
    const open = join(await tempDir(), 'open');
    await mkdir(open);
    await chmod(open, 0o777);
    const { runner: openRunner } = await realRunner({ runAsUser: await nobody(), tempRoot: open });
    const result = await openRunner.run(runRequest('echo ran'));
    expect(result).toMatchObject({ status: 'failed', stdout: '' });
    expect(result.error).toMatch(/^could not start the script: the temp folder .* is writable by the script's user nobody \(and not sticky\)/);
    expect(readdirSync(open)).toEqual([]);
  });
});
