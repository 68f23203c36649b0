// `atwork-agent exec`: runs a local script file exactly as a delivered script would run and prints its result as one JSON object.
import { randomUUID } from 'node:crypto';
import { writeSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { z } from 'zod';
import { InterpreterSchema, type Interpreter } from '../../shared/script-result';
import { createConsoleLogger } from '../service/console-logger';
import { findLocalUser } from '../runner/local-users';
import { NodeSpawner } from '../runner/node-spawner';
import { RUNNER_DEFAULTS, ScriptRunner } from '../runner/script-runner';
import { VARIABLE_NAME } from '../runner/script-variables';
import { systemClock } from '../service/system-clock';

/** Exit status of a usage error; 0 means a result was printed, whatever the script's own exit code. */
const USAGE_ERROR = 2;

/** Largest script file accepted, as a delivered blob would be capped. */
const MAX_SCRIPT_BYTES = 10 * 1024 * 1024;

const TYPE_BY_EXTENSION: Record<string, Interpreter> = { '.sh': 'bash', '.bash': 'bash', '.zsh': 'zsh', '.py': 'python', '.swift': 'swift' };

/** A number option; every way of getting it wrong gets the same message. */
const numberOption = (error: string, check: (n: number) => boolean) => z.coerce.number({ error }).refine(check, { error });

const ExecOptionsSchema = z.object({
  type: InterpreterSchema.optional(),
  maxRunTime: numberOption('must be a number of seconds above 0 and at most 86400', (n) => n > 0 && n <= 86_400),
  maxResponseSize: numberOption('must be a whole number of KB from 1 to 1024', (n) => Number.isInteger(n) && n >= 1 && n <= 1024),
  grace: numberOption('must be a number of seconds from 0 to 600', (n) => n >= 0 && n <= 600),
  var: z.array(z.string()),
  runAsRoot: z.boolean().optional(),
  user: z.string().optional(),
});

class UsageError extends Error {}

/** Adds `exec` to the agent's command line. */
export function registerExecCommand(program: Command): void {
  program
    .command('exec')
    .description('Run a script file the way a delivered script runs (same runner, limits and variables) and print the result as one JSON object.')
    .argument('<file>', 'the script file')
    .option('--type <type>', 'bash, zsh, python or swift (default: from the file extension, else bash)')
    .option('--max-run-time <seconds>', 'stop the script after this many seconds', String(RUNNER_DEFAULTS.maxRunTimeSeconds))
    .option('--max-response-size <kb>', 'cap the returned stdout + stderr at this many KB', String(RUNNER_DEFAULTS.maxResponseSizeKb))
    .option('--grace <seconds>', 'between SIGTERM and SIGKILL at the max run time', String(RUNNER_DEFAULTS.killGraceMs / 1000))
    .option('--var <name=value>', 'a script variable (repeatable); it reaches the script as an environment variable and as {$name}', collect, [])
    .option('--run-as-root', 'run as a "Run as root" script (the agent must be root)')
    .option('--user <name>', 'as root, run a script that is not "Run as root" as this local user (default: the console user on macOS)')
    // Usage errors exit 2 with the message already written; synchronous writes so exiting loses nothing.
    .configureOutput({ writeOut: (text) => void writeSync(1, text), writeErr: (text) => void writeSync(2, text) })
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : USAGE_ERROR))
    .action(async (file: string, raw: Record<string, unknown>) => {
      try {
        process.stdout.write(`${JSON.stringify(await execFile(file, raw))}\n`);
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        writeSync(2, `atwork-agent exec: ${error.message}\n`);
        process.exitCode = USAGE_ERROR;
      }
    });
}

function collect(value: string, previous: string[]): string[] {
  if (!value.includes('=')) throw new InvalidArgumentError('expected NAME=VALUE.');
  return [...previous, value];
}

async function execFile(file: string, raw: Record<string, unknown>): Promise<Record<string, unknown>> {
  const parsed = ExecOptionsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`option --${String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${issue.message}`);
  }
  const options = parsed.data;
  const variables = parseVariables(options.var);
  const script = await readScript(file);
  const runAsUser = options.user === undefined ? undefined : await localUser(options.user);
  const runner = new ScriptRunner({
    spawner: new NodeSpawner(),
    clock: systemClock,
    logger: createConsoleLogger(),
    killGraceMs: options.grace * 1000,
    ...(runAsUser === undefined ? {} : { runAsUser }),
  });
  const executionId = randomUUID();
  const outcome = await runner.run({
    executionId,
    deviceId: 'local',
    interpreter: options.type ?? TYPE_BY_EXTENSION[extname(file).toLowerCase()] ?? 'bash',
    script,
    variables,
    runAsRoot: options.runAsRoot ?? false,
    maxRunTimeSeconds: options.maxRunTime,
    maxResponseSizeKb: options.maxResponseSize,
  });
  return { executionId, ...outcome };
}

function parseVariables(pairs: string[]): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const pair of pairs) {
    const name = pair.slice(0, pair.indexOf('='));
    if (!VARIABLE_NAME.test(name)) throw new UsageError(`--var ${JSON.stringify(pair)}: ${JSON.stringify(name)} is not a valid variable name`);
    if (name in variables) throw new UsageError(`--var ${name} is given twice`);
    variables[name] = pair.slice(name.length + 1);
  }
  return variables;
}

async function readScript(file: string): Promise<Buffer> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new UsageError(`${file} is not a file`);
    if (info.size > MAX_SCRIPT_BYTES) throw new UsageError(`${file} is larger than the ${MAX_SCRIPT_BYTES} bytes a script may have`);
    return await readFile(file);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

async function localUser(name: string) {
  let user;
  try {
    user = await findLocalUser(name);
  } catch (error) {
    throw new UsageError(`--user: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (user === null) throw new UsageError(`--user: there is no local user ${name}`);
  return user;
}
