// Issue 9 item 2: no process a script starts outlives its run, however it leaves the script's session or process group.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findPasswdUser } from '../../src/agent/runner/local-users';
import { NodeSpawner } from '../../src/agent/runner/node-spawner';
import { runMembers } from '../../src/agent/runner/process-containment';
import type { ProcessInfo } from '../../src/agent/core/ports';
import { isAlive, tempDir } from './agent-test-kit';
import { realRunner, runRequest } from './runner-test-kit';

const isLinux = process.platform === 'linux';
const isRoot = process.getuid?.() === 0;
const supervisedGap = new NodeSpawner().containmentGap;
const has = (tool: string) => existsSync(`/usr/bin/${tool}`);

const leftovers: number[] = [];
afterEach(() => {
  // A failing test must not leave its escaped sleeps behind for the next one.
  for (const pid of leftovers.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
});

/** Pids written by the escaped processes into the marker folder: one per line of each file. */
function markedPids(markers: string): number[] {
  const pids: number[] = [];
  for (const name of ['p', 'server']) {
    const file = join(markers, name);
    if (existsSync(file)) pids.push(...readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number));
  }
  leftovers.push(...pids);
  return pids;
}

/** Removes the socket a killed tmux server left, and only that one. */
async function removeTmuxSocket(markers: string): Promise<void> {
  const file = join(markers, 'socket');
  if (existsSync(file)) await rm(join(`/tmp/tmux-${process.getuid!()}`, readFileSync(file, 'utf8').trim()), { force: true });
}

/** Waits for the escaped process to write its pid, then ends as `ending` says. */
function scriptFor(escape: string, ending: 'exits' | 'times out'): string {
  return `${escape}\nwhile [ ! -s "$M/p" ]; do sleep 0.02; done\n${ending === 'exits' ? 'exit 0' : 'sleep 300'}\n`;
}

/** A marker folder whose sleeper.sh writes its pid to p, then sleeps: the process that tries to escape. */
async function markerFolder(): Promise<{ markers: string; variables: Record<string, string> }> {
  const markers = await tempDir();
  const sleeperScript = join(markers, 'sleeper.sh');
  await writeFile(sleeperScript, `echo $$ > ${join(markers, 'p')}\nexec sleep 300\n`, { mode: 0o755 });
  await chmod(markers, 0o777);
  return { markers, variables: { M: markers, S: sleeperScript } };
}

const escapes = [
  { name: 'setsid sleep &', script: 'setsid sh "$S" &', tool: 'setsid' },
  { name: 'set -m; sleep &', script: 'set -m\nsh "$S" &' },
  { name: 'a Python child calling os.setpgid(0, 0)', script: `python3 -c 'import os, time; os.setpgid(0, 0); open(os.environ["M"] + "/p", "w").write(str(os.getpid())); time.sleep(300)' &`, tool: 'python3' },
  { name: 'a Perl child calling setpgrp', script: `perl -e 'setpgrp(0, 0); open(my $f, ">", "$ENV{M}/p"); print $f $$; close $f; sleep 300' &`, tool: 'perl' },
  {
    name: 'tmux new -d (a fresh tmux server daemonizes)',
    script: `echo "atwork-$$" > "$M/socket"\ntmux -f /dev/null -L "atwork-$$" new -d "sh $S"\ntmux -L "atwork-$$" display -p '#{pid}' > "$M/server"`,
    tool: 'tmux',
  },
  { name: 'setsid with a double fork (a daemon)', script: `setsid sh -c '( sh "$S" & )' &`, tool: 'setsid' },
  { name: 'nohup + disown', script: 'nohup sh "$S" >/dev/null 2>&1 &\ndisown' },
  { name: 'a double fork', script: '( sh "$S" & )' },
  { name: 'script -c (a new session on a pty)', script: 'script -qc "sh $S" /dev/null >/dev/null &', tool: 'script' },
];

describe.skipIf(!isLinux)('ScriptRunner containment under the run supervisor', () => {
  it('has the run supervisor built (npm ci builds it with cc; without it the cases below escape)', () => {
    expect(supervisedGap).toBeNull();
  });

  const cases = escapes.flatMap((escape) => (['exits', 'times out'] as const).map((ending) => ({ ...escape, ending })));

  it.each(cases)('leaves nothing of $name once run() returns, when the script $ending', async ({ script, tool, ending }) => {
    if (tool !== undefined && !has(tool)) throw new Error(`${tool} is missing: apt-get install ${tool === 'script' ? 'bsdutils' : tool} for this test`);
    const { markers, variables } = await markerFolder();
    const { runner } = await realRunner({ killGraceMs: 300, drainMs: 300 });
    const result = await runner.run(runRequest(scriptFor(script, ending), { variables, maxRunTimeSeconds: 2 }));
    expect(result.timedOut).toBe(ending === 'times out');
    const pids = markedPids(markers);
    expect(pids.length).toBeGreaterThan(0);
    expect(pids.filter(isAlive)).toEqual([]);
    await removeTmuxSocket(markers);
  });

  it.skipIf(!isRoot)('keeps a script running as a user from killing its supervisor to free its descendants', async () => {
    const nobody = (await findPasswdUser('nobody'))!;
    const { markers, variables } = await markerFolder();
    const { runner, tempRoot } = await realRunner({ runAsUser: nobody, killGraceMs: 300, drainMs: 300 });
    await chmod(tempRoot, 0o755);
    const result = await runner.run(runRequest(scriptFor('kill -KILL $PPID 2>/dev/null; echo "kill=$?"\nsetsid sh "$S" &', 'exits'), { variables }));
    expect(result.stdout).toBe('kill=1\n');
    expect(markedPids(markers).filter(isAlive)).toEqual([]);
  });
});

describe.skipIf(!isLinux)('known uncontained cases (docs/security.md)', () => {
  it.skipIf(!has('tmux'))('a tmux server started outside the run keeps a window the script opens in it', async () => {
    const { markers, variables } = await markerFolder();
    const socket = `atwork-outside-${process.pid}`;
    execFileSync('tmux', ['-f', '/dev/null', '-L', socket, 'new', '-d', 'sleep 300']);
    try {
      const { runner } = await realRunner({ drainMs: 300 });
      await runner.run(runRequest(scriptFor(`tmux -L ${socket} new -d "sh $S"`, 'exits'), { variables }));
      // The window is a child of a server the run never owned: nothing ties it to the run.
      expect(markedPids(markers).filter(isAlive)).toHaveLength(1);
    } finally {
      execFileSync('tmux', ['-L', socket, 'kill-server']);
      await rm(join(`/tmp/tmux-${process.getuid!()}`, socket), { force: true });
    }
  });

  it.skipIf(!has('setsid'))('without the supervisor, a process that starts a new session outlives the run; one that only changes group does not', async () => {
    const spawner = new NodeSpawner({ supervisorPath: null });
    expect(spawner.containmentGap).toMatch(/^the run supervisor is not built/);
    const { runner } = await realRunner({ spawner, drainMs: 300 });
    const escaped = await markerFolder();
    await runner.run(runRequest(scriptFor('setsid sh "$S" &', 'exits'), { variables: escaped.variables }));
    expect(markedPids(escaped.markers).filter(isAlive)).toHaveLength(1);
    const grouped = await markerFolder();
    await runner.run(runRequest(scriptFor('set -m\nsh "$S" &', 'exits'), { variables: grouped.variables }));
    expect(markedPids(grouped.markers).filter(isAlive)).toEqual([]);
  });
});

describe('runMembers', () => {
  const proc = (pid: number, ppid: number, sid: number, startId = `s${pid}`, zombie = false): ProcessInfo => ({ pid, ppid, pgid: sid, sid, startId, zombie });
  const root = { pid: 100, startId: 's100', supervised: true };

  it('takes the session and every descendant of the supervisor, but not the supervisor, the agent or anyone else', () => {
    const snapshot = [proc(1, 0, 1), proc(50, 1, 50), proc(100, 50, 100), proc(101, 100, 100), proc(102, 101, 102), proc(103, 102, 103), proc(104, 1, 100), proc(200, 1, 200)];
    expect(runMembers(snapshot, root, 50).map((p) => p.pid).sort()).toEqual([101, 102, 103, 104]);
  });

  it('leaves zombies out: they are dead already', () => {
    expect(runMembers([proc(100, 1, 100), proc(101, 100, 100, 's101', true)], root, 1)).toEqual([]);
  });

  it('touches nothing when the root pid now belongs to another process', () => {
    const reused = [proc(100, 1, 100, 'other'), proc(101, 100, 100)];
    expect(runMembers(reused, root, 1)).toEqual([]);
  });

  it('still finds the session of a root that is gone, whose id Linux does not reuse while the session lives', () => {
    expect(runMembers([proc(101, 1, 100), proc(102, 101, 102)], { ...root, supervised: false }, 1).map((p) => p.pid)).toEqual([101]);
  });
});
