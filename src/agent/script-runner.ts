// Runs one script under a watchdog (DESIGN.md §4): private 0700 working folder, own process group, minimal environment, capped output.
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Interpreter, RunStatus, ScriptResult } from '../shared/script-result';
import { BoundedCapture, renderWithinBudget, type CapturedStream } from './output-capture';
import type { Clock, Logger, Spawner } from './ports';

/** The only PATH a script gets, and where interpreters are looked up. */
export const SCRIPT_PATH = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'] as const;

const INTERPRETERS: Record<Interpreter, { command: string; fileName: string }> = {
  bash: { command: 'bash', fileName: 'script.sh' },
  zsh: { command: 'zsh', fileName: 'script.zsh' },
  python: { command: 'python3', fileName: 'script.py' },
  swift: { command: 'swift', fileName: 'script.swift' },
};

/**
 * Variable names a ticket may not set: the base environment, and names that make a shell, the dynamic linker or
 * Python run other code before the script starts.
 */
const RESERVED_VARIABLES = new Set(['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'SHELL', 'IFS', 'ENV', 'BASH_ENV', 'SHELLOPTS', 'BASHOPTS', 'PS4', 'ZDOTDIR', 'CDPATH', 'GLOBIGNORE', 'TMPDIR']);
const RESERVED_PREFIXES = ['ATWORK_', 'DYLD_', 'LD_', 'PYTHON', 'BASH_FUNC_'];

export interface RunAsUser {
  uid: number;
  gid: number;
  /** USER and HOME of the script; without them USER is the uid and HOME the working folder. */
  name?: string;
  home?: string;
}

export interface ScriptRunRequest {
  executionId: string;
  deviceId: string;
  interpreter: Interpreter;
  script: Buffer;
  /** Reach the script only as environment variables, never as script text. */
  variables: Record<string, string>;
  runAsRoot: boolean;
  maxRunTimeSeconds: number;
  maxResponseSizeKb: number;
}

export type ScriptRunOutcome = Omit<ScriptResult, 'executionId' | 'configurationId' | 'scriptId' | 'scriptVersion' | 'scriptName'>;

export interface ScriptRunnerOptions {
  spawner: Spawner;
  clock: Clock;
  logger: Logger;
  /** Parent of the per-run working folders; the OS temp folder by default. With runAsUser, that user must be able to enter it. */
  tempRoot?: string;
  /** Who runs scripts that are not "Run as root" when the agent is root; without it they run as the agent (issue 3). */
  runAsUser?: RunAsUser;
  /** Between SIGTERM and SIGKILL when the watchdog fires (default 3 s). */
  killGraceMs?: number;
  /** How long to wait for output after the main process exited before killing whatever still holds it (default 1 s). */
  drainMs?: number;
}

export class ScriptRunner {
  constructor(private readonly options: ScriptRunnerOptions) {}

  /** Runs the script to its end; never throws for anything the script or its interpreter does. */
  async run(request: ScriptRunRequest): Promise<ScriptRunOutcome> {
    const { spawner, clock } = this.options;
    const startedAt = clock.now();
    const refusal = this.refusal(request);
    if (refusal !== null) return notRun(startedAt, clock.now(), refusal);
    const { command, fileName } = INTERPRETERS[request.interpreter];
    const interpreterPath = await spawner.findExecutable(command, SCRIPT_PATH);
    if (interpreterPath === null) return notRun(startedAt, clock.now(), `interpreter ${command} not found`);

    const dropTo = this.dropTo(request);
    let workDir: string | null = null;
    try {
      workDir = await mkdtemp(join(this.options.tempRoot ?? tmpdir(), 'atwork-run-'));
      const scriptPath = join(workDir, fileName);
      await writeFile(scriptPath, request.script, { mode: 0o600, flag: 'wx' });
      if (dropTo !== null) {
        await chown(workDir, dropTo.uid, dropTo.gid);
        await chown(scriptPath, dropTo.uid, dropTo.gid);
      }
      return await this.supervise(interpreterPath, scriptPath, workDir, dropTo, request, startedAt);
    } catch (error) {
      return notRun(startedAt, clock.now(), `could not start the script: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      if (workDir !== null) {
        await rm(workDir, { recursive: true, force: true }).catch((error: unknown) =>
          this.options.logger.warn('could not remove a script working folder', { workDir, reason: String(error) }),
        );
      }
    }
  }

  /** Why this request must not run at all, or null. */
  private refusal(request: ScriptRunRequest): string | null {
    for (const name of Object.keys(request.variables)) {
      if (RESERVED_VARIABLES.has(name) || RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix))) {
        return `variable ${name} is reserved and the script was not run; rename the variable`;
      }
    }
    const uid = this.options.spawner.currentUid();
    if (request.runAsRoot && uid !== 0) {
      return `the script must run as root but the agent runs as uid ${uid}; install the agent as the root LaunchDaemon`;
    }
    return null;
  }

  private dropTo(request: ScriptRunRequest): RunAsUser | null {
    const user = this.options.runAsUser;
    return !request.runAsRoot && user !== undefined && this.options.spawner.currentUid() === 0 ? user : null;
  }

  private environment(request: ScriptRunRequest, workDir: string, dropTo: RunAsUser | null): Record<string, string> {
    const self = dropTo === null ? userInfo() : null;
    return {
      ...request.variables,
      PATH: SCRIPT_PATH.join(':'),
      HOME: self?.homedir ?? dropTo?.home ?? workDir,
      USER: self?.username ?? dropTo?.name ?? String(dropTo?.uid),
      LANG: 'en_US.UTF-8',
      ATWORK_DEVICE_ID: request.deviceId,
      ATWORK_EXECUTION_ID: request.executionId,
    };
  }

  private supervise(
    interpreterPath: string,
    scriptPath: string,
    workDir: string,
    dropTo: RunAsUser | null,
    request: ScriptRunRequest,
    startedAt: Date,
  ): Promise<ScriptRunOutcome> {
    const { spawner, clock } = this.options;
    const budget = request.maxResponseSizeKb * 1024;
    const out = new BoundedCapture(budget);
    const err = new BoundedCapture(budget);
    const child = spawner.spawn(interpreterPath, [scriptPath], {
      cwd: workDir,
      env: this.environment(request, workDir, dropTo),
      ...(dropTo === null ? {} : { uid: dropTo.uid, gid: dropTo.gid }),
    });
    const pid = child.pid;

    return new Promise((resolve) => {
      let timedOut = false;
      let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
      let spawnError: Error | null = null;
      let openStreams = 2;
      let finished = false;
      const cancels: (() => void)[] = [];

      const finish = () => {
        if (finished) return;
        finished = true;
        for (const cancel of cancels) cancel();
        // A timed-out run leaves nothing behind; a normal one only loses what still held its output (see onExit).
        if (timedOut && pid !== undefined) spawner.killGroup(pid, 'SIGKILL');
        child.stdout?.destroy();
        child.stderr?.destroy();
        resolve(outcome(startedAt, clock.now(), request, { timedOut, exit, spawnError }, out.finish(), err.finish(), budget));
      };
      const settle = () => {
        if (spawnError !== null || (exit !== null && openStreams === 0)) finish();
      };

      child.stdout?.on('data', (chunk: Buffer) => out.write(chunk));
      child.stderr?.on('data', (chunk: Buffer) => err.write(chunk));
      for (const stream of [child.stdout, child.stderr]) {
        stream?.once('close', () => {
          openStreams--;
          settle();
        });
      }
      child.on('error', (error) => {
        spawnError = error;
        if (pid !== undefined) spawner.killGroup(pid, 'SIGKILL');
        settle();
      });
      child.once('exit', (code, signal) => {
        exit = { code, signal };
        // Grandchildren that keep stdout open must not keep the run alive: give them a moment, then end the group.
        cancels.push(
          clock.schedule(this.options.drainMs ?? 1000, () => {
            if (pid !== undefined) spawner.killGroup(pid, 'SIGKILL');
            finish();
          }),
        );
        settle();
      });
      if (pid !== undefined) {
        cancels.push(
          clock.schedule(request.maxRunTimeSeconds * 1000, () => {
            timedOut = true;
            spawner.killGroup(pid, 'SIGTERM');
            cancels.push(clock.schedule(this.options.killGraceMs ?? 3000, () => spawner.killGroup(pid, 'SIGKILL')));
          }),
        );
      }
    });
  }
}

interface Ending {
  timedOut: boolean;
  exit: { code: number | null; signal: NodeJS.Signals | null } | null;
  spawnError: Error | null;
}

function outcome(
  startedAt: Date,
  endedAt: Date,
  request: ScriptRunRequest,
  ending: Ending,
  stdout: CapturedStream,
  stderr: CapturedStream,
  budget: number,
): ScriptRunOutcome {
  const [shownOut, shownErr] = renderWithinBudget(stdout, stderr, budget);
  const exitCode = ending.exit?.signal ? null : (ending.exit?.code ?? null);
  const signal = ending.exit?.signal ?? null;
  let status: RunStatus = exitCode === 0 ? 'completed' : 'failed';
  let error: string | null = null;
  if (ending.timedOut) {
    status = 'timed_out';
    error = `the script ran longer than ${request.maxRunTimeSeconds} s and was stopped`;
  } else if (ending.spawnError !== null) {
    status = 'failed';
    error = `could not start the script: ${ending.spawnError.message}`;
  } else if (signal !== null) {
    error = `the script was ended by ${signal}`;
  }
  return {
    status,
    startedAt: startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    durationMs: Math.max(0, endedAt.getTime() - startedAt.getTime()),
    exitCode,
    signal,
    timedOut: ending.timedOut,
    stdout: shownOut.text,
    stderr: shownErr.text,
    stdoutBytes: stdout.totalBytes,
    stderrBytes: stderr.totalBytes,
    stdoutTruncated: shownOut.truncated,
    stderrTruncated: shownErr.truncated,
    stdoutSha256: stdout.sha256,
    stderrSha256: stderr.sha256,
    error,
  };
}

/** The outcome of a script that never started. */
function notRun(startedAt: Date, endedAt: Date, error: string): ScriptRunOutcome {
  return {
    status: 'failed',
    startedAt: startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    durationMs: Math.max(0, endedAt.getTime() - startedAt.getTime()),
    exitCode: null,
    signal: null,
    timedOut: false,
    stdout: '',
    stderr: '',
    stdoutBytes: 0,
    stderrBytes: 0,
    stdoutTruncated: false,
    stderrTruncated: false,
    stdoutSha256: null,
    stderrSha256: null,
    error,
  };
}
