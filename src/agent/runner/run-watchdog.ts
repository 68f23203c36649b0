// The watchdog of one script run: max run time, SIGTERM then SIGKILL to every process of the run, and a bounded wait for output.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Clock, ScriptProcess } from '../core/ports';
import type { RunContainment } from './process-containment';

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
  /** Processes of the run still alive after the last kill pass (a tree that kept growing); normally 0. */
  leftAlive: number;
}

/** How long a supervisor whose descendants are all gone may take to exit before it is killed itself. */
const ROOT_EXIT_MS = 1000;
/** How long to give a supervisor to exit after the script ended, before looking for descendants it still waits for. */
const ROOT_QUIET_MS = 10;

/**
 * Watches a spawned script until it is over, and leaves nothing of it running.
 *
 * - At max run time every process of the run gets SIGTERM, then SIGKILL after the grace.
 * - When the main process exits, the output gets `drainMs` to end; whatever still holds it is then killed, so a
 *   background child never keeps the run alive.
 * - When the run ends, for any reason, every process of the run is killed (its session and, under the supervisor,
 *   every descendant that left it), pass after pass until none is left; only then the supervisor.
 */
export function watchRun(run: ScriptProcess, outputs: readonly WatchedOutput[], limits: WatchdogLimits, containment: RunContainment, clock: Clock): Promise<RunEnding> {
  let rootGone = false;
  void run.gone.then(() => (rootGone = true));
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
      const outputCut = outputs.some((output) => !output.isClosed);
      void endRun(run, containment, () => rootGone).then((leftAlive) => {
        for (const output of outputs) output.cut();
        resolve({ exit, timedOut, spawnError, outputCut, leftAlive });
      });
    };
    const settle = () => {
      if (spawnError !== null || (exit !== null && outputs.every((output) => output.isClosed))) finish();
    };

    for (const output of outputs) void output.closed.then(settle);
    void run.ended.then((end) => {
      if ('error' in end) {
        spawnError = end.error;
      } else {
        exit = end.exit;
        // After a timeout the kill timer decides; otherwise the output gets a short grace.
        if (!timedOut) after(limits.drainMs, finish);
      }
      settle();
    });
    if (run.pid === undefined) return;
    after(limits.maxRunMs, () => {
      // A script that already exited is not late; its output drain is bounded on its own.
      if (exit !== null) return;
      timedOut = true;
      containment.signalAll('SIGTERM');
      after(limits.graceMs, () => {
        containment.signalAll('SIGKILL');
        // Bounds the wait when a process that could not be killed (uninterruptible sleep) still holds the output.
        after(limits.drainMs, finish);
      });
    });
  });
}

/**
 * Kills what is left of the run; a supervisor that already exited had no descendants left, so there is nothing to find.
 * Its pauses are real time, not the agent's Clock: they wait for the kernel, not for a schedule.
 */
async function endRun(run: ScriptProcess, containment: RunContainment, rootGone: () => boolean): Promise<number> {
  if (run.pid === undefined) return 0;
  if (run.supervised) {
    await untilGone(run, ROOT_QUIET_MS);
    if (rootGone()) return 0;
  }
  const leftAlive = await containment.killAll();
  if (!run.supervised) return leftAlive;
  await untilGone(run, ROOT_EXIT_MS);
  if (!rootGone()) containment.killRoot();
  return leftAlive;
}

/** Waits for the run's root to be gone, at most `ms`; the timer is dropped as soon as it is. */
async function untilGone(run: ScriptProcess, ms: number): Promise<void> {
  const timer = new AbortController();
  await Promise.race([run.gone, sleep(ms, undefined, { signal: timer.signal }).catch(() => undefined)]);
  timer.abort();
}
