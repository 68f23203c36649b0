// The watchdog of one script run: max run time, SIGTERM then SIGKILL to the whole process group, and a bounded wait for output.
import type { ChildProcess } from 'node:child_process';
import type { Clock, Spawner } from './ports';

export interface WatchdogLimits {
  maxRunMs: number;
  /** Between SIGTERM and SIGKILL when the max run time is reached. */
  graceMs: number;
  /** How long output may still arrive after the main process exited, before whatever holds it open is killed. */
  drainMs: number;
}

/** What the watchdog needs of an output stream. */
export interface WatchedOutput {
  readonly closed: Promise<void>;
  readonly isClosed: boolean;
  cut(): void;
}

export interface RunEnding {
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
  timedOut: boolean;
  spawnError: Error | null;
  /** A process outside the main one (a background job, a grandchild) still held the output when the run ended. */
  outputCut: boolean;
}

/**
 * Watches a spawned script until it is over, and leaves nothing of it running.
 *
 * - At max run time the whole group gets SIGTERM, then SIGKILL after the grace.
 * - When the main process exits, the output gets `drainMs` to end; whatever still holds it is then killed, so a
 *   background child never keeps the run alive.
 * - When the run ends, for any reason, the group gets SIGKILL: background jobs end with their script. (A process that
 *   left the group with setsid() escapes this; on a Mac only launchd could track it.)
 */
export function watchRun(child: ChildProcess, outputs: readonly WatchedOutput[], limits: WatchdogLimits, spawner: Spawner, clock: Clock): Promise<RunEnding> {
  const pid = child.pid;
  const killGroup = (signal: NodeJS.Signals) => {
    if (pid !== undefined) spawner.killGroup(pid, signal);
  };
  return new Promise((resolve) => {
    let exit: RunEnding['exit'] = null;
    let spawnError: Error | null = null;
    let timedOut = false;
    let done = false;
    const cancels: (() => void)[] = [];
    const after = (ms: number, action: () => void) => void cancels.push(clock.schedule(ms, action));

    const finish = () => {
      if (done) return;
      done = true;
      for (const cancel of cancels) cancel();
      killGroup('SIGKILL');
      const outputCut = outputs.some((output) => !output.isClosed);
      for (const output of outputs) output.cut();
      resolve({ exit, timedOut, spawnError, outputCut });
    };
    const settle = () => {
      if (spawnError !== null || (exit !== null && outputs.every((output) => output.isClosed))) finish();
    };

    for (const output of outputs) void output.closed.then(settle);
    child.once('error', (error) => {
      spawnError = error;
      settle();
    });
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      // After a timeout the kill timer decides; otherwise the output gets a short grace.
      if (!timedOut) after(limits.drainMs, finish);
      settle();
    });
    if (pid === undefined) return;
    after(limits.maxRunMs, () => {
      // A script that already exited is not late; its output drain is bounded on its own.
      if (exit !== null) return;
      timedOut = true;
      killGroup('SIGTERM');
      after(limits.graceMs, () => {
        killGroup('SIGKILL');
        // SIGKILL cannot be caught; this only bounds the wait when an escaped process still holds the output.
        after(limits.drainMs, finish);
      });
    });
  });
}
