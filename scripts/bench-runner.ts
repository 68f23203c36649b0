// `npm run bench:runner`: the script runner's overhead, output throughput and memory, and how fast the watchdog clears a run's processes.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeSpawner } from '../src/agent/runner/node-spawner';
import type { Logger, Spawner } from '../src/agent/core/ports';
import { RUNNER_DEFAULTS, ScriptRunner, type ScriptRunRequest } from '../src/agent/runner/script-runner';
import { systemClock } from '../src/agent/service/system-clock';
import { liveSessionMembers } from './process-groups';

const OVERHEAD_RUNS = 40;
const GIGABYTE = 1024 ** 3;
const OUTPUT_RUNS = 3;
const KILL_RUNS = 5;

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function request(script: string, overrides: Partial<ScriptRunRequest> = {}): ScriptRunRequest {
  return {
    executionId: randomUUID(),
    deviceId: 'bench',
    interpreter: 'bash',
    script: Buffer.from(script),
    variables: {},
    runAsRoot: false,
    maxRunTimeSeconds: 120,
    maxResponseSizeKb: 1,
    ...overrides,
  };
}

/** Spawning bash on the same file directly, with piped output read to the end: the baseline of the overhead. */
async function directRun(bash: string, file: string, cwd: string): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(bash, [file], { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout.resume();
    child.stderr.resume();
    child.once('error', reject).once('close', () => resolve());
  });
  return performance.now() - started;
}

async function overhead(tempRoot: string, spawner: NodeSpawner): Promise<{ runnerMs: number; directMs: number }> {
  const runner = new ScriptRunner({ spawner, clock: systemClock, logger: quiet, tempRoot });
  const bash = (await spawner.findExecutable('bash', ['/usr/bin', '/bin']))!;
  const file = join(tempRoot, 'empty.sh');
  await writeFile(file, '');
  const viaRunner: number[] = [];
  const direct: number[] = [];
  // Interleaved, so drift in the machine's load hits both sides alike.
  for (let i = 0; i < OVERHEAD_RUNS + 3; i++) {
    const started = performance.now();
    const result = await runner.run(request(''));
    if (result.status !== 'completed') throw new Error(`the empty script did not complete: ${result.error}`);
    const runnerMs = performance.now() - started;
    const directMs = await directRun(bash, file, tempRoot);
    // The first runs warm up code paths and the file cache.
    if (i < 3) continue;
    viaRunner.push(runnerMs);
    direct.push(directMs);
  }
  return { runnerMs: median(viaRunner), directMs: median(direct) };
}

async function gigabyte(tempRoot: string): Promise<{ mbPerSecond: number; growthMb: number[] }> {
  const runner = new ScriptRunner({ spawner: new NodeSpawner(), clock: systemClock, logger: quiet, tempRoot });
  const rates: number[] = [];
  const growthMb: number[] = [];
  await runner.run(request('head -c 10000000 /dev/zero'));
  for (let i = 0; i < OUTPUT_RUNS; i++) {
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    const started = performance.now();
    const result = await runner.run(request(`head -c ${GIGABYTE} /dev/zero`));
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    if (result.stdoutBytes !== GIGABYTE) throw new Error(`expected ${GIGABYTE} bytes of output, the runner counted ${result.stdoutBytes}`);
    rates.push(GIGABYTE / 1024 / 1024 / seconds);
    growthMb.push((peak - baseline) / 1024 / 1024);
  }
  return { mbPerSecond: median(rates), growthMb };
}

/** From the SIGTERM at max run time until no process of the run's session is alive, for a run that ignores SIGTERM. */
async function killTimes(tempRoot: string): Promise<number[]> {
  const real = new NodeSpawner();
  const times: number[] = [];
  for (let i = 0; i < KILL_RUNS; i++) {
    let root: number | null = null;
    let termAt: number | null = null;
    const spawner: Spawner = {
      findExecutable: (name, path) => real.findExecutable(name, path),
      spawn(command, args, spawnRequest) {
        const run = real.spawn(command, args, spawnRequest);
        root = run.pid ?? null;
        return run;
      },
      runHelper: (command, args, helperRequest) => real.runHelper(command, args, helperRequest),
      signal(pid, signal) {
        if (signal === 'SIGTERM') termAt ??= performance.now();
        real.signal(pid, signal);
      },
      signalGroup(pgid, signal) {
        if (signal === 'SIGTERM') termAt ??= performance.now();
        real.signalGroup(pgid, signal);
      },
      processes: real.processes,
      containmentGap: real.containmentGap,
      currentUid: () => real.currentUid(),
    };
    const runner = new ScriptRunner({ spawner, clock: systemClock, logger: quiet, tempRoot });
    const run = runner.run(request("trap '' TERM\n( trap '' TERM; sleep 300 ) &\n( sleep 300 >/dev/null 2>&1 ) &\nsetsid sh -c '( sleep 300 & )' &\nwhile :; do sleep 0.05; done", { maxRunTimeSeconds: 0.5 }));
    while (termAt === null) await new Promise((r) => setTimeout(r, 1));
    const at = termAt as number;
    while (liveSessionMembers(root!).length > 0) await new Promise((r) => setTimeout(r, 2));
    times.push(performance.now() - at);
    await run;
  }
  return times;
}

/**
 * A script that leaves a daemon (setsid and a double fork, no output) and exits: how long run() takes, and how many of
 * its processes are still alive when it returns.
 */
async function daemonCleanup(tempRoot: string): Promise<{ runMs: number; afterEndMs: number; leftAlive: number }> {
  const real = new NodeSpawner();
  let endedAt = 0;
  const spawner: Spawner = Object.assign(Object.create(real) as NodeSpawner, {
    spawn(command: string, args: readonly string[], spawnRequest: Parameters<Spawner['spawn']>[2]) {
      const run = real.spawn(command, args, spawnRequest);
      void run.ended.then(() => (endedAt = performance.now()));
      return run;
    },
  });
  const runner = new ScriptRunner({ spawner, clock: systemClock, logger: quiet, tempRoot });
  const daemon = join(tempRoot, 'daemon.sh');
  await writeFile(daemon, 'echo $$ > "$1"\nexec sleep 300\n');
  const times: number[] = [];
  const afterEnd: number[] = [];
  let leftAlive = 0;
  for (let i = 0; i < 5; i++) {
    const marker = join(tempRoot, `daemon-${i}.pid`);
    const started = performance.now();
    await runner.run(request(`setsid sh -c '( sh "$0" "$1" & )' "$D" "$M" >/dev/null 2>&1 &\nwhile [ ! -s "$M" ]; do sleep 0.01; done`, { variables: { D: daemon, M: marker } }));
    times.push(performance.now() - started);
    afterEnd.push(performance.now() - endedAt);
    const pid = Number(await readFile(marker, 'utf8'));
    if (isAlive(pid)) {
      leftAlive++;
      process.kill(pid, 'SIGKILL');
    }
  }
  return { runMs: median(times), afterEndMs: median(afterEnd), leftAlive };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** How long a run takes whose main process exits at once while a background child keeps stdout open. */
async function heldOutput(tempRoot: string): Promise<number> {
  const runner = new ScriptRunner({ spawner: new NodeSpawner(), clock: systemClock, logger: quiet, tempRoot });
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await runner.run(request('sleep 300 &\nexit 0'));
    times.push(performance.now() - started);
  }
  return median(times);
}

async function main(): Promise<void> {
  const tempRoot = await mkdtemp(join(tmpdir(), 'atwork-bench-'));
  try {
    process.stdout.write(`script runner benchmark: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${new Date().toISOString()}\n\n`);
    const supervised = new NodeSpawner();
    process.stdout.write(`containment: ${supervised.containmentGap ?? 'run supervisor (child subreaper) and session'}\n`);
    for (const [name, spawner] of [
      ['under the supervisor', supervised],
      ['session only (no supervisor)', new NodeSpawner({ supervisorPath: null })],
    ] as const) {
      const { runnerMs, directMs } = await overhead(tempRoot, spawner);
      process.stdout.write(
        `empty bash script ${name}, median of ${OVERHEAD_RUNS}: runner ${runnerMs.toFixed(2)} ms, bash directly ${directMs.toFixed(2)} ms, ` +
          `added ${(runnerMs - directMs).toFixed(2)} ms (ratio ${(runnerMs / directMs).toFixed(2)}); target: added at most 10 ms\n`,
      );
    }
    const { mbPerSecond, growthMb } = await gigabyte(tempRoot);
    process.stdout.write(
      `1 GiB of stdout with a 1 KB cap, ${OUTPUT_RUNS} runs: median ${mbPerSecond.toFixed(0)} MiB/s, peak RSS growth ` +
        `${growthMb.map((mb) => mb.toFixed(1)).join(' / ')} MB (max ${Math.max(...growthMb).toFixed(1)}); target: at most 16 MB\n`,
    );
    const kills = await killTimes(tempRoot);
    const grace = RUNNER_DEFAULTS.killGraceMs;
    process.stdout.write(
      `max run time to whole run gone (SIGTERM ignored, a setsid daemon, grace ${grace} ms), ${KILL_RUNS} runs: median ${median(kills).toFixed(0)} ms, ` +
        `max ${Math.max(...kills).toFixed(0)} ms, i.e. grace + ${(Math.max(...kills) - grace).toFixed(0)} ms; target: grace + 100 ms\n`,
    );
    const held = await heldOutput(tempRoot);
    process.stdout.write(`run whose background child holds stdout after the script exits, median of 5: ${held.toFixed(0)} ms (drain ${RUNNER_DEFAULTS.drainMs} ms)\n`);
    const daemon = await daemonCleanup(tempRoot);
    process.stdout.write(
      `run that leaves a setsid + double-fork daemon and exits, median of 5: run ${daemon.runMs.toFixed(0)} ms, ` +
        `script end to every process gone and run() returned ${daemon.afterEndMs.toFixed(1)} ms; processes alive after run() returned: ${daemon.leftAlive}\n`,
    );
  } finally {
    await rm(tempRoot, { recursive: true, force: true });
  }
}

await main();
