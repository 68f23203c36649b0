// Runs one script under a watchdog (DESIGN.md §4): who it runs as, private 0700 working folder, contained processes, minimal environment, capped output.
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Interpreter, RunStatus, ScriptResult } from '../../shared/script-result';
import { MacConsoleUser, type ScriptUserSource, FixedScriptUser } from './console-user';
import { INTERPRETERS, SYSTEM_PATH, usesPlaceholders } from './interpreters';
import type { RunAsUser } from './local-users';
import { BoundedCapture, encodingFields, renderWithinBudget, type CapturedStream } from './output-capture';
import { OutputChannel } from './output-channel';
import type { Clock, Logger, Spawner } from '../core/ports';
import { RunContainment, type RunProcessIdentity } from './process-containment';
import { resolveRunIdentity, scriptEnvironment, type RunIdentity } from './run-identity';
import { watchRun, type RunEnding } from './run-watchdog';
import { RunWorkFolder, type WorkFolderRecord } from './run-work-folder';
import { resolvePlaceholders, variablesProblem } from './script-variables';

export type { RunAsUser } from './local-users';

/** Defaults of DESIGN.md §4 and §6. */
export const RUNNER_DEFAULTS = { maxRunTimeSeconds: 60, maxResponseSizeKb: 1, killGraceMs: 3000, drainMs: 1000 } as const;

/** Largest max response size a request may ask for (the ticket's own limit). */
const MAX_RESPONSE_SIZE_KB = 1024;

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
  /** Told who the run's processes are and where its folder is as soon as it started, so a restarted agent can clean up after a dead one (issue 9). */
  onStarted?: (start: RunStart) => void | Promise<void>;
}

export interface RunStart {
  process: RunProcessIdentity;
  workFolder: WorkFolderRecord;
}

export type ScriptRunOutcome = Omit<ScriptResult, 'executionId' | 'configurationId' | 'scriptId' | 'scriptVersion' | 'scriptName'>;

export interface ScriptRunnerOptions {
  spawner: Spawner;
  clock: Clock;
  logger: Logger;
  /** Parent of the per-run working folders; the OS temp folder by default. The script's user must be able to enter it, and not write to it unless it is sticky. */
  tempRoot?: string;
  /** Who runs scripts that are not "Run as root" when the agent is root: always this user. */
  runAsUser?: RunAsUser;
  /** Who runs scripts that are not "Run as root" when the agent is root, asked at each run; the console user on macOS by default. */
  userSource?: ScriptUserSource;
  /** Between SIGTERM and SIGKILL when the watchdog fires (default 3 s). */
  killGraceMs?: number;
  /** How long to wait for output after the main process exited before killing whatever still holds it (default 1 s). */
  drainMs?: number;
}

export class ScriptRunner {
  private readonly users: ScriptUserSource | null;
  private containmentGapLogged = false;

  constructor(private readonly options: ScriptRunnerOptions) {
    this.users = options.userSource ?? (options.runAsUser ? new FixedScriptUser(options.runAsUser) : defaultUserSource());
  }

  /** Runs the script to its end; never throws for anything the script, its interpreter or its request does. */
  async run(request: ScriptRunRequest): Promise<ScriptRunOutcome> {
    const { spawner, clock } = this.options;
    const startedAt = clock.now();
    const refuse = (error: string) => outcomeWithoutOutput('failed', startedAt, clock.now(), error);

    const problem = limitsProblem(request) ?? variablesProblem(request.variables);
    if (problem !== null) return refuse(problem);
    const resolved = await resolveRunIdentity(request.runAsRoot, spawner.currentUid(), this.users);
    if ('error' in resolved) return refuse(resolved.error);
    const { command, fileName, flags } = INTERPRETERS[request.interpreter];
    const interpreterPath = await spawner.findExecutable(command, SYSTEM_PATH);
    if (interpreterPath === null) return refuse(`interpreter ${command} not found in ${SYSTEM_PATH.join(':')}`);

    let folder: RunWorkFolder | null = null;
    try {
      folder = await RunWorkFolder.create(this.options.tempRoot ?? tmpdir());
      const workDir = folder.path;
      const env = scriptEnvironment(resolved.identity, { deviceId: request.deviceId, executionId: request.executionId, workDir }, request.variables);
      const script = usesPlaceholders(request.interpreter) ? resolvePlaceholders(request.script, new Set(Object.keys(env))) : { script: request.script };
      if ('error' in script) return refuse(script.error);
      const scriptPath = join(workDir, fileName);
      await writeFile(scriptPath, script.script, { mode: 0o600, flag: 'wx' });
      return await this.supervise([...flags, scriptPath], { interpreterPath, folder, env, identity: resolved.identity }, request, startedAt);
    } catch (error) {
      return refuse(`could not start the script: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      if (folder !== null) {
        const workDir = folder.path;
        await folder.remove(spawner, this.options.logger).catch((error: unknown) =>
          this.options.logger.warn('could not remove a script working folder', { workDir, reason: String(error) }),
        );
      }
    }
  }

  private async supervise(args: string[], setup: RunSetup, request: ScriptRunRequest, startedAt: Date): Promise<ScriptRunOutcome> {
    const { spawner, clock, logger } = this.options;
    const budget = request.maxResponseSizeKb * 1024;
    const captures = { stdout: new BoundedCapture(budget), stderr: new BoundedCapture(budget) };
    // Opened while the folder is still the agent's alone (0700, before the chown): nobody else can reach the sockets.
    const workDir = setup.folder.path;
    const stdout = await OutputChannel.open(join(workDir, 'o'), (chunk) => captures.stdout.write(chunk));
    const stderr = await OutputChannel.open(join(workDir, 'e'), (chunk) => captures.stderr.write(chunk)).catch((error: unknown) => {
      stdout.cut();
      throw error;
    });
    let ending: RunEnding;
    try {
      const user = setup.identity.kind === 'user' ? setup.identity.user : null;
      if (user !== null) await setup.folder.handTo(user, this.options.tempRoot ?? tmpdir(), [basename(args[args.length - 1]!)]);
      const run = spawner.spawn(setup.interpreterPath, args, {
        cwd: workDir,
        env: setup.env,
        output: { stdout: stdout.childEnd, stderr: stderr.childEnd },
        ...(user === null ? {} : { uid: user.uid, gid: user.gid }),
      });
      stdout.releaseChildEnd();
      stderr.releaseChildEnd();
      this.logContainmentGap();
      const identity: RunProcessIdentity = { pid: run.pid ?? -1, startId: run.pid === undefined ? null : (spawner.processes?.startIdOf(run.pid) ?? null), supervised: run.supervised };
      // Recorded while the watchdog already runs (a slow journal write must not stretch the max run time), and only
      // then is the script let go, so a kill of the agent in between leaves a run the restarted agent can end.
      const told = (run.pid === undefined ? Promise.resolve() : this.tellStarted(request, { process: identity, workFolder: setup.folder.record() })).then(() => run.begin());
      const limits = {
        maxRunMs: request.maxRunTimeSeconds * 1000,
        graceMs: this.options.killGraceMs ?? RUNNER_DEFAULTS.killGraceMs,
        drainMs: this.options.drainMs ?? RUNNER_DEFAULTS.drainMs,
      };
      ending = await watchRun(run, [stdout, stderr], limits, new RunContainment(identity, spawner.processes, spawner), clock);
      await told;
    } finally {
      stdout.cut();
      stderr.cut();
    }
    if (ending.outputCut) logger.info('cut the output of a script whose background processes still held it', { executionId: request.executionId });
    if (ending.leftAlive > 0) logger.error('processes of a script run were still alive after the last kill pass', { executionId: request.executionId, count: ending.leftAlive });
    return outcome(startedAt, clock.now(), request, ending, captures.stdout.finish(), captures.stderr.finish(), budget);
  }

  private logContainmentGap(): void {
    const gap = this.options.spawner.containmentGap;
    if (gap === null || this.containmentGapLogged) return;
    this.containmentGapLogged = true;
    this.options.logger.warn('script runs are not fully contained', { reason: gap });
  }

  /** A failing callback (the journal write) is logged: the run itself goes on, only its restart cleanup is weaker. */
  private async tellStarted(request: ScriptRunRequest, start: RunStart): Promise<void> {
    try {
      await request.onStarted?.(start);
    } catch (error) {
      this.options.logger.warn('could not record the processes of a script run', { executionId: request.executionId, reason: String(error) });
    }
  }
}

interface RunSetup {
  interpreterPath: string;
  folder: RunWorkFolder;
  env: Record<string, string>;
  identity: RunIdentity;
}

/** The console user on a Mac; elsewhere none, so a root agent without a configured user runs scripts as itself. */
function defaultUserSource(): ScriptUserSource | null {
  return process.platform === 'darwin' ? new MacConsoleUser() : null;
}

function limitsProblem(request: ScriptRunRequest): string | null {
  if (!(Number.isFinite(request.maxRunTimeSeconds) && request.maxRunTimeSeconds > 0)) return `max run time ${request.maxRunTimeSeconds} s is not a positive number of seconds`;
  const kb = request.maxResponseSizeKb;
  if (!(Number.isInteger(kb) && kb >= 1 && kb <= MAX_RESPONSE_SIZE_KB)) return `max response size ${kb} KB is not a whole number from 1 to ${MAX_RESPONSE_SIZE_KB}`;
  return null;
}

function outcome(
  startedAt: Date,
  endedAt: Date,
  request: ScriptRunRequest,
  ending: RunEnding,
  stdout: CapturedStream,
  stderr: CapturedStream,
  budget: number,
): ScriptRunOutcome {
  const [shownOut, shownErr] = renderWithinBudget(stdout, stderr, budget);
  const signal = ending.exit?.signal ?? null;
  const exitCode = signal === null ? (ending.exit?.code ?? null) : null;
  let status: RunStatus = exitCode === 0 ? 'completed' : 'failed';
  let error: string | null = null;
  if (ending.timedOut) {
    status = 'timed_out';
    error = `the script ran longer than ${request.maxRunTimeSeconds} s and was stopped`;
  } else if (ending.spawnError !== null) {
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
    ...encodingFields(shownOut, shownErr),
    error,
  };
}

/** The outcome of a run that produced no output: refused before it started, or lost track of (`interrupted`). */
export function outcomeWithoutOutput(status: 'failed' | 'interrupted', startedAt: Date, endedAt: Date, error: string): ScriptRunOutcome {
  return {
    status,
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
