// `atwork-agent`: enroll this device, run the check-in loop, or print the agent status. Handlers stay thin over AgentService.
import { resolve } from 'node:path';
import { Command } from 'commander';
import { AGENT_VERSION } from '../core/agent-version';

/**
 * The commands defined in their own files, imported only when the command line may reach them (issue 10).
 *
 * Importing every command's modules took most of a bare `--version`'s time and memory; the agent core is imported
 * the same way, by the actions below.
 */
const COMMAND_MODULES: Record<string, () => Promise<(program: Command) => void>> = {
  schedule: async () => (await import('./cli-schedule')).registerScheduleCommand,
  'open-ticket': async () => (await import('./cli-open-ticket')).registerOpenTicketCommand,
  exec: async () => (await import('./cli-exec')).registerExecCommand,
};

/** The command modules this command line needs: its own command's, none for `--version` or this file's commands, else all (the help lists them). */
function commandModulesFor(first: string | undefined): string[] {
  if (first !== undefined && first in COMMAND_MODULES) return [first];
  if (first !== undefined && ['--version', '-V', 'enroll', 'run', 'status'].includes(first)) return [];
  return Object.keys(COMMAND_MODULES);
}

function stateDirOf(option: string | undefined): string {
  return resolve(option ?? process.env.ATWORK_STATE_DIR ?? './.atwork/agent');
}

const program = new Command()
  .name('atwork-agent')
  .description('The Atwork device agent: enrolls this device, runs the scripts its server assigns and reports the results.')
  .version(AGENT_VERSION);

program
  .command('enroll')
  .description('Enroll this device with a server: with a user name and registration PIN, or with an enrollment token (automated enrollment).')
  .requiredOption('--server <url>', 'server URL, https://host[:port] (plain http only to localhost)')
  .option('--user <name>', 'user name the device is registered to (with --pin)')
  .option('--pin <pin>', 'registration PIN from the administrator (with --user)')
  .option('--token <token>', 'enrollment token from the administrator; "-" reads it from standard input (the command line is visible to every local user)')
  .option('--state-dir <dir>', 'agent state folder (default: $ATWORK_STATE_DIR or ./.atwork/agent)')
  .action(async (opts: { server: string; user?: string; pin?: string; token?: string; stateDir?: string }) => {
    const params = { serverUrl: opts.server, ...(await enrollCredentials(opts)) };
    // Before the state folder exists: a mistyped URL or token leaves nothing behind.
    (await import('../service/coded-enrollment')).checkEnrollParams(params);
    const stateDir = stateDirOf(opts.stateDir);
    const { createNodeAgent, withLockedStateFolder } = await import('../service/node-agent');
    await withLockedStateFolder(stateDir, async () => {
      const { deviceId } = await createNodeAgent({ stateDir }).enroll(params);
      process.stdout.write(`enrolled as device ${deviceId}\n`);
    });
  });

/** Either --user with --pin or --token alone, each refused in one sentence otherwise. */
async function enrollCredentials(opts: { user?: string; pin?: string; token?: string }): Promise<{ username: string; pin: string } | { token: string }> {
  if (opts.token !== undefined) {
    if (opts.user !== undefined || opts.pin !== undefined) throw new Error('give either --token or --user with --pin, not both');
    return { token: opts.token === '-' ? (await readStandardInput()).trim() : opts.token };
  }
  if (opts.user === undefined || opts.pin === undefined) throw new Error('give --user with --pin, or --token for an automated enrollment');
  return { username: opts.user, pin: opts.pin };
}

async function readStandardInput(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

program
  .command('run')
  .description('Check in with the server and run assigned scripts until stopped (SIGINT or SIGTERM).')
  .option('--state-dir <dir>', 'agent state folder (default: $ATWORK_STATE_DIR or ./.atwork/agent)')
  .action(async (opts: { stateDir?: string }) => {
    const stateDir = stateDirOf(opts.stateDir);
    // Heard from the start: a stop that arrives while the agent starts up still ends it cleanly and frees the lock.
    const stopRequested = new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    const { automatedEnrollmentWaiting, createNodeAgent, withLockedStateFolder } = await import('../service/node-agent');
    // Locked before anything is read, so a second agent on this folder runs nothing (issue 9).
    await withLockedStateFolder(stateDir, async () => {
      const agent = createNodeAgent({ stateDir });
      // An automated enrollment (the PKG's enrollment file) enrolls in the loop's first round.
      if (!(await agent.isEnrolled()) && !(await automatedEnrollmentWaiting(stateDir))) throw new Error('this device is not enrolled; run `atwork-agent enroll` first');
      agent.start();
      await stopRequested;
      await agent.stop();
    });
  });

program
  .command('status')
  .description('Print the agent status as JSON.')
  .option('--state-dir <dir>', 'agent state folder (default: $ATWORK_STATE_DIR or ./.atwork/agent)')
  .action(async (opts: { stateDir?: string }) => {
    const { createNodeAgent } = await import('../service/node-agent');
    const agent = createNodeAgent({ stateDir: stateDirOf(opts.stateDir) });
    process.stdout.write(`${JSON.stringify(await agent.getStatus(), null, 2)}\n`);
  });

for (const name of commandModulesFor(process.argv[2])) (await COMMAND_MODULES[name]!())(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`atwork-agent: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
