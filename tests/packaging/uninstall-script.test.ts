// build/uninstall.sh on a temp root laid out like a Mac with Atwork installed (issue 13): everything of Atwork's goes,
// nothing else does, the Mac's commands (recording fakes) see the calls an admin expects, and a second run is a no-op.
import { execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait-for';
import {
  appBinary, appHelperBinary, ATWORK_PATHS, createMacFixture, isAlive, liveMembers, LOADED_JOBS, RECEIPTS, SAFE_STORAGE_ITEM,
  siblingHelperBinary, SIBLING_PATHS, startProcess, writeRunningScript, type MacFixture,
} from './mac-fixture';

const UNINSTALL = path.join(import.meta.dirname, '..', '..', 'build', 'uninstall.sh');
const run = promisify(execFile);

interface RunOutcome {
  code: number;
  stdout: string;
  stderr: string;
  /** The fakes' calls during this run: command and arguments. */
  calls: string[][];
}

/** Runs the uninstaller under the fixture's root with the fakes first on PATH; FAKE_UID stands in for `id -u` (0: root). */
async function uninstall(fixture: MacFixture, shell: string, env: Record<string, string> = {}): Promise<RunOutcome> {
  const before = (await readFile(fixture.fakeLog, 'utf8')).length;
  const options = {
    env: { PATH: `${fixture.fakeBin}:${process.env.PATH ?? '/usr/bin:/bin'}`, LANG: 'C', ATWORK_ROOT: fixture.root, FAKE_STATE: fixture.fakeState, FAKE_LOG: fixture.fakeLog, FAKE_UID: '0', ...env },
    encoding: 'utf8' as const,
    timeout: 60_000,
  };
  let outcome: { code: number; stdout: string; stderr: string };
  try {
    outcome = { code: 0, ...(await run(shell, [UNINSTALL], options)) };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    outcome = { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
  const log = (await readFile(fixture.fakeLog, 'utf8')).slice(before);
  return { ...outcome, calls: log.split('\n').filter((line) => line !== '').map((line) => line.split('\t')) };
}

/** The calls of the commands that change the Mac: launchctl, sudo, security, pkgutil. */
function changingCalls(outcome: RunOutcome): string[] {
  return outcome.calls.filter(([command]) => ['launchctl', 'sudo', 'security', 'pkgutil'].includes(command!)).map((call) => call.join(' '));
}

async function linesOf(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8')).split('\n').filter((line) => line !== '');
}

async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise((resolve) => child.once('exit', resolve));
}

describe.each(['sh', 'bash'])('uninstall.sh under %s', (shell) => {
  let fixture: MacFixture;
  let first: RunOutcome;
  let second: RunOutcome;
  const atworkProcesses: ChildProcess[] = [];
  const otherProcesses: ChildProcess[] = [];
  let script: ChildProcess;

  beforeAll(async () => {
    fixture = await createMacFixture();
    const { root } = fixture;
    atworkProcesses.push(startProcess(appBinary(root), ['300']), startProcess(appHelperBinary(root), ['300']));
    otherProcesses.push(
      startProcess(siblingHelperBinary(root), ['300']),
      // Names Atwork's binary without being it, and a script folder outside the root: neither is the agent's here.
      startProcess('sh', ['-c', 'sleep 300; true', 'sh', appBinary(root)]),
      startProcess('sh', ['-c', 'sleep 300; true', 'sh', '/tmp/atwork-run-Zz99Yy/w/script.sh']),
    );
    script = startProcess('sh', [await writeRunningScript(root)]);
    await waitFor('the script and its two children', async () => (liveMembers(script.pid!).length === 3 ? true : undefined));
    first = await uninstall(fixture, shell);
    await Promise.all([...atworkProcesses, script].map(exited));
    second = await uninstall(fixture, shell);
  });

  afterAll(async () => {
    for (const child of [...atworkProcesses, ...otherProcesses, script]) {
      try {
        if (child?.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone, as it should be for Atwork's.
      }
    }
    if (fixture !== undefined) await rm(path.dirname(fixture.root), { recursive: true, force: true });
  });

  it('exits 0 and prints one line per thing it removed, in order', () => {
    const { root } = fixture;
    const appPids = atworkProcesses.map((child) => child.pid!).sort((a, b) => a - b);
    expect(first.stderr).not.toMatch(/could not/);
    expect(first.code).toBe(0);
    expect(first.stdout.split('\n').filter((line) => line !== '')).toEqual([
      'Stopped launchd job system/org.atwork.agent.daemon',
      'Stopped launchd job gui/501/org.atwork.agent.ui',
      `Removed ${root}/Library/LaunchDaemons/org.atwork.agent.daemon.plist`,
      `Removed ${root}/Library/LaunchAgents/org.atwork.agent.ui.plist`,
      `Ended script process group ${script.pid}`,
      ...appPids.map((pid) => `Ended Atwork process ${pid}`),
      'Deleted keychain item "Atwork Safe Storage" of alice',
      'Deleted keychain item "Atwork Safe Storage" of root',
      `Removed ${root}/Applications/Atwork.app`,
      `Removed ${root}/Library/Application Support/Atwork`,
      `Removed ${root}/Library/Logs/Atwork`,
      `Removed ${root}/Users/alice/Library/Application Support/Atwork`,
      `Removed ${root}/Users/alice/Library/Logs/Atwork`,
      `Removed ${root}/Users/alice/Library/HTTPStorages/org.atwork.agent`,
      `Removed ${root}/Users/alice/Library/Preferences/org.atwork.agent.plist`,
      `Removed ${root}/Users/alice/Library/Saved Application State/org.atwork.agent.savedState`,
      `Removed ${root}/Users/bob/Library/Application Support/Atwork`,
      `Removed ${root}/var/root/Library/Application Support/Atwork`,
      'Forgot package receipt org.atwork.agent',
    ]);
  });

  it('removes every file of Atwork\'s and leaves every other vendor\'s, and the other users\' folders, as they were', async () => {
    for (const entry of ATWORK_PATHS) expect(existsSync(path.join(fixture.root, entry)), entry).toBe(false);
    for (const entry of SIBLING_PATHS) {
      const kept = path.join(fixture.root, entry);
      expect(existsSync(entry.endsWith('/') ? path.join(kept, 'data.json') : kept), entry).toBe(true);
    }
    // The folders that held Atwork's stay: they are the user's and the system's.
    expect((await stat(path.join(fixture.root, 'Users/alice/Library/Application Support'))).isDirectory()).toBe(true);
    expect((await stat(path.join(fixture.root, 'Library/LaunchDaemons'))).isDirectory()).toBe(true);
  });

  it('follows no link a user planted: not the target, not a folder above it, not a home', () => {
    const { root, outside } = fixture;
    for (const kept of ['cache/keep.txt', 'logs/Atwork/keep.log', 'mallory/Library/Application Support/Atwork/keep.json']) {
      expect(existsSync(path.join(outside, kept)), kept).toBe(true);
    }
    // The links themselves are the users' and stay too.
    for (const link of ['Users/alice/Library/Caches/org.atwork.agent', 'Users/bob/Library/Logs', 'Users/mallory']) {
      expect(lstatSync(path.join(root, link)).isSymbolicLink(), link).toBe(true);
    }
    expect(first.stderr).toContain(`left ${root}/Users/alice/Library/Caches/org.atwork.agent: it is a symbolic link`);
    expect(first.stderr).toContain(`left ${root}/Users/bob/Library/Logs/Atwork: a folder above it is a symbolic link`);
    expect(first.stderr).toContain(`left ${root}/Users/mallory alone: it is a symbolic link`);
  });

  it('ends the agent, its helper and the whole group of a running script, and nothing else', () => {
    for (const child of atworkProcesses) expect(isAlive(child.pid!)).toBe(false);
    expect(liveMembers(script.pid!)).toEqual([]);
    for (const child of otherProcesses) expect(isAlive(child.pid!), `pid ${child.pid}`).toBe(true);
  });

  it('boots both jobs out, deletes the keychain item as the logged-in user, and forgets only Atwork\'s receipt', async () => {
    const item = ['-s', 'Atwork Safe Storage', '-a', 'Atwork'].join(' ');
    expect(changingCalls(first)).toEqual([
      'launchctl print system/org.atwork.agent.daemon',
      'launchctl bootout system/org.atwork.agent.daemon',
      'launchctl print gui/501/org.atwork.agent.ui',
      'launchctl bootout gui/501/org.atwork.agent.ui',
      `launchctl asuser 501 sudo -H -u alice security delete-generic-password ${item}`,
      `sudo -H -u alice security delete-generic-password ${item}`,
      `security delete-generic-password ${item}`,
      `security delete-generic-password ${item}`,
      'pkgutil --pkgs',
      'pkgutil --forget org.atwork.agent',
    ]);
    const { fakeState } = fixture;
    expect(await linesOf(path.join(fakeState, 'launchd'))).toEqual(LOADED_JOBS.filter((job) => !job.includes('org.atwork.agent')));
    expect(await linesOf(path.join(fakeState, 'receipts'))).toEqual(RECEIPTS.slice(1));
    expect(await linesOf(path.join(fakeState, 'keychain-alice'))).toEqual(['Chromium Safe Storage|Chromium']);
    expect(await linesOf(path.join(fakeState, 'keychain-root'))).not.toContain(SAFE_STORAGE_ITEM);
    // bob is logged out: his login keychain is locked, which the uninstaller says rather than trying.
    expect(first.stderr).toContain('"Atwork Safe Storage" of bob, if any, stays: a login keychain is locked while its user is logged out.');
  });

  it('a second run exits 0, removes nothing and only looks', () => {
    expect(second.code).toBe(0);
    expect(second.stdout).toBe('');
    expect(changingCalls(second).filter((call) => /bootout|--forget/.test(call))).toEqual([]);
    expect(second.stderr).not.toMatch(/could not|of bob/);
  });
});

describe('uninstall.sh refuses', () => {
  let fixture: MacFixture;

  beforeAll(async () => {
    fixture = await createMacFixture();
  });

  afterAll(async () => {
    if (fixture !== undefined) await rm(path.dirname(fixture.root), { recursive: true, force: true });
  });

  it('to run as anyone but root, in one sentence, touching nothing', async () => {
    const outcome = await uninstall(fixture, 'sh', { FAKE_UID: '501' });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toBe("uninstall.sh: Atwork's uninstaller must run as root: run it again with sudo.\n");
    expect(changingCalls(outcome)).toEqual([]);
    expect(existsSync(appBinary(fixture.root))).toBe(true);
  });

  it('a relative ATWORK_ROOT', async () => {
    const outcome = await uninstall(fixture, 'sh', { ATWORK_ROOT: 'mac' });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(/ATWORK_ROOT must be an absolute path/);
    expect(changingCalls(outcome)).toEqual([]);
  });
});

describe('uninstall.sh and the PKG scripts', () => {
  it('pass shellcheck (installed by .ci/run; locally: apt-get install -y shellcheck)', () => {
    const scripts = [UNINSTALL, path.join(import.meta.dirname, '..', '..', 'build', 'pkg-scripts', 'postinstall')];
    let report = '';
    try {
      execFileSync('shellcheck', scripts, { encoding: 'utf8' });
    } catch (error) {
      const failed = error as NodeJS.ErrnoException & { stdout?: string };
      if (failed.code === 'ENOENT') throw new Error('shellcheck is missing: install it with apt-get install -y shellcheck (.ci/run does)');
      report = failed.stdout ?? String(error);
    }
    expect(report).toBe('');
  });

  it('are executable, as the PKG and the app\'s resources need them', async () => {
    expect((await stat(UNINSTALL)).mode & 0o111).toBe(0o111);
  });
});
