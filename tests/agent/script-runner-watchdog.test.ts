// The runner's watchdog on real processes: max run time, SIGTERM then SIGKILL, background children, output held open.
import { describe, expect, it } from 'vitest';
import type { Spawner } from '../../src/agent/core/ports';
import { isAlive, waitUntil } from './agent-test-kit';
import { liveSessionMembers, realRunner, runRequest, spawnerWith } from './runner-test-kit';

/** A spawner that remembers the root pid of each run and when each signal went to which process or group. */
function signalRecorder(): { spawner: Spawner; roots: number[]; signals: { pid: number; signal: string; at: number }[] } {
  const signals: { pid: number; signal: string; at: number }[] = [];
  const roots: number[] = [];
  const base = spawnerWith({});
  const record = (pid: number, signal: string) => void signals.push({ pid, signal, at: performance.now() });
  return {
    signals,
    roots,
    spawner: {
      ...base,
      spawn(command, args, request) {
        const run = base.spawn(command, args, request);
        if (run.pid !== undefined) roots.push(run.pid);
        return run;
      },
      signal(pid, signal) {
        record(pid, signal);
        base.signal(pid, signal);
      },
      signalGroup(pgid, signal) {
        record(-pgid, signal);
        base.signalGroup(pgid, signal);
      },
    },
  };
}

function pidsIn(text: string, label: string): number[] {
  return [...text.matchAll(new RegExp(`${label} (\\d+)`, 'g'))].map((m) => Number(m[1]));
}

describe('ScriptRunner watchdog', () => {
  it.each([
    {
      name: 'a background sleep outliving the timeout',
      script: 'sleep 300 &\necho "bg $!"\nwait',
      grace: 3000,
      signal: 'SIGTERM',
    },
    {
      name: "a script with trap '' TERM",
      script: "trap '' TERM\necho \"bg $$\"\nwhile :; do sleep 0.05; done",
      grace: 300,
      signal: 'SIGKILL',
    },
    {
      name: "a background child with trap '' TERM that holds stdout",
      script: "( trap '' TERM; while :; do sleep 0.05; done ) &\necho \"bg $!\"\nwait",
      grace: 300,
      signal: 'SIGTERM',
    },
    {
      name: 'a background child without output that ignores SIGTERM',
      script: "( trap '' TERM; exec >/dev/null 2>&1; while :; do sleep 0.05; done ) &\necho \"bg $!\"\nwait",
      grace: 300,
      signal: 'SIGTERM',
    },
  ])('stops $name and leaves no process of its session', async ({ script, grace, signal }) => {
    const { spawner, signals, roots } = signalRecorder();
    const { runner } = await realRunner({ spawner, killGraceMs: grace });
    const started = performance.now();
    const result = await runner.run(runRequest(script, { maxRunTimeSeconds: 1 }));
    expect(result).toMatchObject({ status: 'timed_out', timedOut: true, exitCode: null, signal, error: 'the script ran longer than 1 s and was stopped' });
    expect(performance.now() - started).toBeLessThan(1000 + grace + 1500);
    const session = roots[0]!;
    expect(signals[0]!.signal).toBe('SIGTERM');
    expect(signals[0]!.at - started).toBeGreaterThanOrEqual(990);
    const [pid] = pidsIn(result.stdout, 'bg');
    expect(pid).toBeGreaterThan(0);
    await waitUntil('the whole session to be gone', () => liveSessionMembers(session).length === 0 && !isAlive(pid!), 2000);
  });

  it('kills a run that ignores SIGTERM within grace + 100 ms of the max run time', async () => {
    const { spawner, signals, roots } = signalRecorder();
    const { runner } = await realRunner({ spawner, killGraceMs: 500 });
    const run = runner.run(runRequest("trap '' TERM\n( trap '' TERM; sleep 300 ) &\n( trap '' TERM; sleep 300 >/dev/null 2>&1 ) &\nwhile :; do sleep 0.05; done", { maxRunTimeSeconds: 0.5 }));
    await waitUntil('the SIGTERM', () => signals.length > 0, 3000);
    const { at: termAt } = signals[0]!;
    const session = roots[0]!;
    expect(liveSessionMembers(session).length).toBeGreaterThanOrEqual(3);
    await waitUntil('the session to be gone', () => liveSessionMembers(session).length === 0, 3000);
    const goneAfterMs = performance.now() - termAt;
    expect(goneAfterMs).toBeGreaterThanOrEqual(450);
    // Loose for a loaded CI machine; `npm run bench:runner` measures the real figure against grace + 100 ms.
    expect(goneAfterMs).toBeLessThan(500 + 400);
    expect(await run).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
  });

  it('returns about a second after the script exits although a grandchild holds stdout, and kills that grandchild', async () => {
    const { runner } = await realRunner();
    const started = performance.now();
    const result = await runner.run(runRequest('( sleep 300; echo late ) &\necho "grandchild $!"\nsleep 0.2\nexit 0', { maxRunTimeSeconds: 60 }));
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1150);
    expect(elapsed).toBeLessThan(4000);
    expect(result).toMatchObject({ status: 'completed', exitCode: 0, timedOut: false, error: null });
    const [pid] = pidsIn(result.stdout, 'grandchild');
    await waitUntil('the grandchild to be killed', () => !isAlive(pid!), 2000);
  });

  it('keeps output a grandchild writes during the drain, then cuts the rest', async () => {
    const { runner } = await realRunner({ drainMs: 600 });
    const result = await runner.run(runRequest('( sleep 0.2; echo from-grandchild; sleep 300; echo never ) &\necho main-done'));
    expect(result.stdout).toBe('main-done\nfrom-grandchild\n');
    expect(result.timedOut).toBe(false);
  });

  it('ends background jobs without output when the script ends normally', async () => {
    const { runner } = await realRunner();
    const started = performance.now();
    const result = await runner.run(runRequest('sleep 300 >/dev/null 2>&1 &\necho "bg $!" >&2\nexit 0'));
    expect(performance.now() - started).toBeLessThan(1000);
    const [pid] = pidsIn(result.stderr, 'bg');
    await waitUntil('the background job to be killed', () => !isAlive(pid!), 2000);
  });

  it('does not call a script late when it exited before the max run time while its output drained', async () => {
    const { runner } = await realRunner({ drainMs: 1500 });
    const result = await runner.run(runRequest('( sleep 300 ) &\nexit 4', { maxRunTimeSeconds: 0.5 }));
    expect(result).toMatchObject({ status: 'failed', exitCode: 4, timedOut: false, signal: null });
  });
});
