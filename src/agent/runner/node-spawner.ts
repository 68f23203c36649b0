// The Node Spawner: scripts under the run supervisor (or alone) in a new session with stdin from /dev/null, plus signals and the process table.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { ProcessTable, ScriptEnd, ScriptProcess, SpawnRequest, Spawner } from '../core/ports';
import { platformProcessTable } from './process-table';

/** Where `npm ci` builds native/run-supervisor.c (scripts/build-native.mjs); ATWORK_RUN_SUPERVISOR overrides it. */
const BUILT_SUPERVISOR = join(packageRoot(fileURLToPath(import.meta.url)), 'dist', 'native', 'run-supervisor');

/**
 * The nearest folder above `file` that holds a package.json: the package root, whether this code runs from its
 * source file (src/agent/...) or from a bundle or chunk in dist/, at whatever depth either sits.
 */
function packageRoot(file: string): string {
  for (let folder = dirname(file); ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'package.json'))) return folder;
    if (dirname(folder) === folder) return dirname(file);
  }
}

const SIGNAL_NAMES = new Map(Object.entries(osConstants.signals).map(([name, number]) => [number, name as NodeJS.Signals]));

export interface NodeSpawnerOptions {
  /** The run supervisor executable; null runs scripts without one. Default: the built one when it is there (Linux). */
  supervisorPath?: string | null;
}

export class NodeSpawner implements Spawner {
  readonly processes: ProcessTable | null = platformProcessTable();
  readonly containmentGap: string | null;
  private readonly supervisorPath: string | null;

  constructor(options: NodeSpawnerOptions = {}) {
    this.supervisorPath = options.supervisorPath === undefined ? builtSupervisor() : options.supervisorPath;
    this.containmentGap =
      this.supervisorPath !== null
        ? null
        : process.platform === 'linux'
          ? `the run supervisor is not built (${BUILT_SUPERVISOR}): a process a script starts in a new session outlives the run; run npm ci on a machine with a C compiler`
          : 'this platform has no child subreaper: a process a script starts in a new process group outlives the run (docs/security.md)';
  }

  async findExecutable(name: string, searchPath: readonly string[]): Promise<string | null> {
    if (name.includes('/')) throw new Error(`executable name ${JSON.stringify(name)} must not contain a slash`);
    for (const dir of searchPath) {
      const candidate = join(dir, name);
      try {
        if (!(await stat(candidate)).isFile()) continue;
        await access(candidate, constants.X_OK);
        return candidate;
      } catch {
        continue;
      }
    }
    return null;
  }

  spawn(command: string, args: readonly string[], request: SpawnRequest): ScriptProcess {
    const stdio = ['ignore', request.output.stdout, request.output.stderr] as const;
    if (this.supervisorPath === null) {
      const child = spawnInSession(command, args, request, [...stdio], true);
      const ended = new Promise<ScriptEnd>((resolve) => {
        child.once('error', (error) => resolve({ error })).once('exit', (code, signal) => resolve({ exit: { code, signal } }));
      });
      return { pid: child.pid, supervised: false, ended, gone: ended.then(() => undefined), begin: () => undefined };
    }
    // The supervisor keeps the agent's privileges, so the script cannot kill it; it drops them for the script itself.
    const ids = [String(request.uid ?? -1), String(request.gid ?? -1)];
    const child = spawnInSession(this.supervisorPath, [...ids, command, ...args], request, [...stdio, 'pipe', 'pipe'], false);
    const gate = child.stdio[4] as Writable | null;
    gate?.on('error', () => undefined);
    return {
      pid: child.pid,
      supervised: true,
      ended: supervisedEnd(child),
      gone: new Promise((resolve) => child.once('error', () => resolve()).once('exit', () => resolve())),
      begin: () => gate?.end('g'),
    };
  }

  runHelper(command: string, args: readonly string[], request: Omit<SpawnRequest, 'output'> & { timeoutMs: number }): Promise<number | null> {
    const child = spawnInSession(command, args, { ...request, output: undefined }, ['ignore', 'ignore', 'ignore'], true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.pid !== undefined && this.signalGroup(child.pid, 'SIGKILL'), request.timeoutMs);
      const done = (code: number | null) => {
        clearTimeout(timer);
        resolve(code);
      };
      child.once('error', () => done(null)).once('exit', (code) => done(code));
    });
  }

  signal(pid: number, signal: NodeJS.Signals): void {
    ignoreGone(() => process.kill(pid, signal));
  }

  signalGroup(pgid: number, signal: NodeJS.Signals): void {
    ignoreGone(() => process.kill(-pgid, signal));
  }

  currentUid(): number {
    return process.getuid?.() ?? -1;
  }
}

function spawnInSession(command: string, args: readonly string[], request: Omit<SpawnRequest, 'output'> & { output?: unknown }, stdio: StdioOptions, dropPrivileges: boolean): ChildProcess {
  return spawn(command, args, {
    cwd: request.cwd,
    env: request.env,
    ...(dropPrivileges ? { uid: request.uid, gid: request.gid } : {}),
    // setsid(): own session and process group, so the watchdog finds the run by its session id.
    detached: true,
    // 'ignore' is /dev/null: a script waiting for input gets end-of-file, never the agent's stdin.
    stdio,
    shell: false,
    windowsHide: true,
  });
}

/**
 * The script's end as the supervisor reports it on fd 3 ("exit N" / "signal N"). A supervisor that ends without a
 * report (it could not set up, or was killed) gives its own exit instead.
 */
function supervisedEnd(child: ChildProcess): Promise<ScriptEnd> {
  return new Promise((resolve) => {
    let report = '';
    child.stdio[3]!.on('data', (chunk: Buffer) => {
      report += chunk.toString('latin1');
      const match = /^(exit|signal) (\d+)\n/.exec(report);
      if (match === null) return;
      const number = Number(match[2]);
      resolve({ exit: match[1] === 'exit' ? { code: number, signal: null } : { code: null, signal: SIGNAL_NAMES.get(number) ?? null } });
    });
    child.stdio[3]!.on('error', () => undefined);
    child.once('error', (error) => resolve({ error }));
    // 'close' comes after the status channel is drained, so a report written just before the exit is never lost.
    child.once('close', (code, signal) => resolve({ exit: { code, signal } }));
  });
}

function builtSupervisor(): string | null {
  const path = process.env.ATWORK_RUN_SUPERVISOR || BUILT_SUPERVISOR;
  if (process.platform !== 'linux') return null;
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return null;
  }
}

function ignoreGone(send: () => void): void {
  try {
    send();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
