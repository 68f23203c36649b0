// Command line of the reference server: `atwork-server serve`, `admin ...` and `dev-fixture`.
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ADMIN_TOKEN_FILE } from '../pki/tenant-setup';
import { adminCommand } from '../admin-api/admin-cli/admin-command';
import { parseDeviceRateLimits, type DeviceRateLimits } from '../device-api/device-rate-limits';
import { DEFAULT_CONNECTION_LIMITS } from './connection-limits';
import { LOG_LEVELS, type LogLevel } from './server-log';

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) throw new InvalidArgumentError('The port must be a whole number from 0 to 65535.');
  return port;
}

interface ServeOptions {
  dataDir: string;
  port: number;
  host: string;
  databaseUrl?: string;
  deviceRateLimits?: Partial<DeviceRateLimits>;
  logLevel: LogLevel;
}

/** Past the drain deadline, a shutdown that still hangs (a stuck database call) is cut short. */
const SHUTDOWN_HARD_DEADLINE_MS = DEFAULT_CONNECTION_LIMITS.drainDeadlineMs + 5000;

async function serve(options: ServeOptions): Promise<void> {
  const dataDir = path.resolve(options.dataDir);
  // Imported here, not at the top: the server's modules are most of the CLI's start-up time and memory (issue 10).
  const { startServer } = await import('./server-app');
  const server = await startServer({ dataDir, databaseUrl: options.databaseUrl, deviceRateLimits: options.deviceRateLimits, log: { level: options.logLevel } });
  const url = await server.listen({ host: options.host, port: options.port });
  console.log(`Atwork server   ${url}`);
  if (server.createdAdminToken !== null) {
    console.error(`First start: the admin API token is in ${path.join(dataDir, ADMIN_TOKEN_FILE)}`);
  }
  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    setTimeout(() => {
      console.error(`Stopping the server took longer than ${SHUTDOWN_HARD_DEADLINE_MS / 1000} s; exiting anyway.`);
      process.exit(1);
    }, SHUTDOWN_HARD_DEADLINE_MS).unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`Stopping the server failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

const program = new Command('atwork-server').description('The Atwork reference management server.');
program
  .command('serve')
  .description('Serve the admin and device APIs from a data folder.')
  .addOption(new Option('--data-dir <dir>', 'data folder (database, tenant keys, admin token)').env('ATWORK_DATA_DIR').default('./.atwork'))
  .addOption(new Option('--port <port>', 'port to listen on; 0 picks a free one').env('ATWORK_PORT').argParser(parsePort).default(0))
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .addOption(new Option('--database-url <url>', 'postgres:// URL; the embedded SQLite database when absent').env('DATABASE_URL'))
  .addOption(
    new Option('--device-rate-limits <limits>', 'device API limits per minute, e.g. perAddress=1200,enrollPerAddress=20,perDevice=120 (load tests raise them)')
      .env('ATWORK_DEVICE_RATE_LIMITS')
      .argParser((value: string) => {
        try {
          return parseDeviceRateLimits(value);
        } catch (error) {
          throw new InvalidArgumentError((error as Error).message);
        }
      }),
  )
  .addOption(new Option('--log-level <level>', 'log lines at this level and above go to stdout and <data-dir>/logs/').env('ATWORK_LOG_LEVEL').choices(LOG_LEVELS).default('info'))
  .action(serve);

function parseTtl(value: string): number {
  if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError('The TTL is a whole number of seconds; negative makes an already expired ticket.');
  return Number(value);
}

program
  .command('dev-fixture')
  .description('Write a fresh tenant, device and signed ticket with its blob into a folder, for tamper tests of `atwork-agent open-ticket`.')
  .requiredOption('--out <dir>', 'folder to write tenant-root.pem, device-key.jwk, device-id, ticket, blob, script and crl into')
  .addOption(new Option('--ttl <seconds>', 'seconds until the ticket expires; -3600 makes one that expired an hour ago').argParser(parseTtl).default(3600))
  .option('--script <text>', 'the script the ticket authorizes', '#!/bin/bash\necho "hello from the dev fixture"\n')
  .action(async (options: { out: string; ttl: number; script: string }) => {
    const out = path.resolve(options.out);
    const { writeDevFixture } = await import('./dev-fixture');
    const fixture = await writeDevFixture({ out, ttlSeconds: options.ttl, script: options.script });
    console.log(`Wrote a dev fixture for device ${fixture.deviceId} of tenant ${fixture.tenantId} to ${out}`);
  });

program.addCommand(adminCommand());

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`atwork-server: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
