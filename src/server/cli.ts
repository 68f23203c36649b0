// Command line of the reference server: `atwork-server serve`.
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ADMIN_TOKEN_FILE } from './tenant-setup';
import { startServer } from './server-app';

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) throw new InvalidArgumentError('The port must be a whole number from 0 to 65535.');
  return port;
}

async function serve(options: { dataDir: string; port: number; host: string; databaseUrl?: string }): Promise<void> {
  const dataDir = path.resolve(options.dataDir);
  const server = await startServer({ dataDir, databaseUrl: options.databaseUrl });
  const url = await server.listen({ host: options.host, port: options.port });
  console.log(`Atwork server   ${url}`);
  if (server.createdAdminToken !== null) {
    console.error(`First start: the admin API token is in ${path.join(dataDir, ADMIN_TOKEN_FILE)}`);
  }
  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
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
  .action(serve);

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`atwork-server: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
