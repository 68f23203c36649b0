// `atwork-agent`: enroll this device, run the check-in loop, or print the agent status. Handlers stay thin over AgentService.
import { resolve } from 'node:path';
import { Command } from 'commander';
import { createNodeAgent } from './node-agent';
import { registerExecCommand } from './cli-exec';
import { registerOpenTicketCommand } from './cli-open-ticket';
import { registerScheduleCommand } from './cli-schedule';
import { AGENT_VERSION } from './device-identity';

function stateDirOf(option: string | undefined): string {
  return resolve(option ?? process.env.ATWORK_STATE_DIR ?? './.atwork/agent');
}

const program = new Command()
  .name('atwork-agent')
  .description('The Atwork device agent: enrolls this device, runs the scripts its server assigns and reports the results.')
  .version(AGENT_VERSION);

program
  .command('enroll')
  .description('Enroll this device with a server using a user name and registration PIN.')
  .requiredOption('--server <url>', 'server URL, https://host[:port] (plain http only to localhost)')
  .requiredOption('--user <name>', 'user name the device is registered to')
  .requiredOption('--pin <pin>', 'registration PIN from the administrator')
  .option('--state-dir <dir>', 'agent state folder (default: $ATWORK_STATE_DIR or ./.atwork/agent)')
  .action(async (opts: { server: string; user: string; pin: string; stateDir?: string }) => {
    const agent = createNodeAgent({ stateDir: stateDirOf(opts.stateDir) });
    const { deviceId } = await agent.enroll({ serverUrl: opts.server, username: opts.user, pin: opts.pin });
    process.stdout.write(`enrolled as device ${deviceId}\n`);
  });

program
  .command('run')
  .description('Check in with the server and run assigned scripts until stopped (SIGINT or SIGTERM).')
  .option('--state-dir <dir>', 'agent state folder (default: $ATWORK_STATE_DIR or ./.atwork/agent)')
  .action(async (opts: { stateDir?: string }) => {
    const agent = createNodeAgent({ stateDir: stateDirOf(opts.stateDir) });
    if (!(await agent.isEnrolled())) throw new Error('this device is not enrolled; run `atwork-agent enroll` first');
    agent.start();
    await new Promise<void>((done) => {
      const stop = () => void agent.stop().then(done);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  });

program
  .command('status')
  .description('Print the agent status as JSON.')
  .option('--state-dir <dir>', 'agent state folder (default: $ATWORK_STATE_DIR or ./.atwork/agent)')
  .action(async (opts: { stateDir?: string }) => {
    const agent = createNodeAgent({ stateDir: stateDirOf(opts.stateDir) });
    process.stdout.write(`${JSON.stringify(await agent.getStatus(), null, 2)}\n`);
  });

registerScheduleCommand(program);
registerOpenTicketCommand(program);
registerExecCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`atwork-agent: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
