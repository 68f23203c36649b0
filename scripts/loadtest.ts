// Load simulator: N enrolled devices checking in over real HTTP against a server process, with latency and server CPU/RSS figures.
import { spawn, type ChildProcess } from 'node:child_process';
import { createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { openDatabase } from '../src/server/db/database';
import { signDeviceToken } from '../src/shared/node/device-token';
import { generateP256PrivateKey } from '../src/shared/node/p256-key';
import { DEVICE_API_PREFIX } from '../src/shared/protocol';
import { AdminClient } from '../src/server/admin-api/admin-api-client';
import { startPostgresCluster, type PostgresCluster } from './throwaway-postgres';
import { distributeSystemDefaultToEveryone } from './demo-seed';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SEED_BATCH = 500;

interface Options {
  devices: number;
  checkinSeconds: number;
  duration: number;
  databaseUrl?: string;
  throwawayPostgres: boolean;
  mode: 'paced' | 'max';
  concurrency: number;
}

interface SimulatedDevice {
  id: string;
  key: KeyObject;
}

interface ProcessSample {
  cpuSeconds: number;
  rssBytes: number;
}

const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
};

/** CPU time and resident memory of a process, from Linux's /proc. */
function sampleProcess(pid: number): ProcessSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rssPages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
  return { cpuSeconds: ticks / 100, rssBytes: rssPages * 4096 };
}

async function startServerProcess(dataDir: string, databaseUrl: string | undefined): Promise<{ child: ChildProcess; url: string }> {
  // Every simulated device comes from 127.0.0.1, so the per-address limit meant for real networks is lifted.
  const args = [path.join(root, 'bin', 'atwork-server.js'), 'serve', '--data-dir', dataDir, '--port', '0', '--device-rate-limits', 'perAddress=100000000'];
  if (databaseUrl) args.push('--database-url', databaseUrl);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the server exited with code ${code} before it listened`)));
    lines.on('line', (line) => {
      const match = /^Atwork server\s+(\S+)$/.exec(line);
      if (match?.[1]) resolve(match[1]);
    });
  });
  return { child, url };
}

/** Creates N devices directly in the database: enrollment's PIN hashing would dominate a 100,000-device run. */
async function seedDevices(dataDir: string, databaseUrl: string | undefined, count: number): Promise<SimulatedDevice[]> {
  const db = openDatabase({ dataDir, databaseUrl });
  try {
    const tenant = await db.selectFrom('tenants').select('id').executeTakeFirstOrThrow();
    const user = await db.selectFrom('users').select('id').where('username', '=', 'load').executeTakeFirstOrThrow();
    const devices: SimulatedDevice[] = [];
    const now = new Date().toISOString();
    for (let start = 0; start < count; start += SEED_BATCH) {
      const rows = [];
      for (let i = start; i < Math.min(count, start + SEED_BATCH); i++) {
        const privateKey = generateP256PrivateKey();
        const { kty, crv, x, y } = createPublicKey(privateKey).export({ format: 'jwk' });
        const publicJwk = { kty, crv, x, y };
        const device = { id: randomUUID(), key: privateKey };
        devices.push(device);
        rows.push({
          id: device.id,
          tenant_id: tenant.id,
          user_id: user.id,
          name: `Simulated Mac ${i}`,
          status: 'active' as const,
          public_jwk: JSON.stringify(publicJwk),
          facts: JSON.stringify({ name: `Simulated Mac ${i}`, osName: 'macOS', osVersion: '15.1', model: 'Mac15,3', serialNumber: null, agentVersion: 'load' }),
          enrolled_at: now,
          last_checkin_at: null,
          agent_version: 'load',
          os_version: '15.1',
        });
      }
      await db.insertInto('devices').values(rows).execute();
    }
    return devices;
  } finally {
    await db.destroy();
  }
}

async function prepareTenant(admin: AdminClient): Promise<void> {
  await admin.call('POST', '/users', { username: 'load' });
  await distributeSystemDefaultToEveryone(admin);
  // One script configuration to everyone, so every check-in issues a real signed and encrypted ticket.
  const script = await admin.call<{ id: string }>('POST', '/scripts', { name: 'load', type: 'bash', body: 'echo load\n' });
  await admin.call('POST', '/script-configurations', { name: 'load', scriptId: script.id, schedule: { kind: 'once' }, distribution: { kind: 'everyone' } });
}

class CheckinStats {
  readonly latenciesMs: number[] = [];
  readonly errors = new Map<string, number>();

  record(ms: number, error: string | null): void {
    this.latenciesMs.push(ms);
    if (error !== null) this.errors.set(error, (this.errors.get(error) ?? 0) + 1);
  }

  percentile(p: number): number {
    const sorted = [...this.latenciesMs].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  }
}

async function checkIn(url: string, device: SimulatedDevice, stats: CheckinStats): Promise<void> {
  const started = performance.now();
  let error: string | null = null;
  try {
    const response = await fetch(`${url}${DEVICE_API_PREFIX}/checkin`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await signDeviceToken(device.key, device.id)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ agentVersion: 'load', osVersion: '15.1' }),
      signal: AbortSignal.timeout(30_000),
    });
    await response.arrayBuffer();
    if (!response.ok) error = `HTTP ${response.status}`;
  } catch (err) {
    error = err instanceof Error ? err.name : 'error';
  }
  stats.record(performance.now() - started, error);
}

/** Spreads each device's check-ins evenly over its period, as a fleet on a fixed check-in frequency does. */
async function runPaced(url: string, devices: SimulatedDevice[], options: Options, stats: CheckinStats): Promise<void> {
  const rate = devices.length / options.checkinSeconds;
  const total = Math.floor(rate * options.duration);
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  for (let sent = 0; sent < total; ) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
    for (; sent < due; sent++) {
      const request = checkIn(url, devices[sent % devices.length]!, stats).finally(() => inFlight.delete(request));
      inFlight.add(request);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(inFlight);
}

/** Closed loop: `concurrency` devices check in back to back for the duration; measures the sustainable maximum. */
async function runMax(url: string, devices: SimulatedDevice[], options: Options, stats: CheckinStats): Promise<void> {
  const deadline = performance.now() + options.duration * 1000;
  let next = 0;
  const worker = async () => {
    while (performance.now() < deadline) await checkIn(url, devices[next++ % devices.length]!, stats);
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
}

async function main(options: Options): Promise<void> {
  let cluster: PostgresCluster | null = null;
  let databaseUrl = options.databaseUrl;
  if (options.throwawayPostgres) {
    cluster = await startPostgresCluster();
    databaseUrl = cluster.url;
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), 'atwork-load-'));
  const { child, url } = await startServerProcess(dataDir, databaseUrl);
  try {
    const admin = new AdminClient(url, (await readFile(path.join(dataDir, 'admin-token'), 'utf8')).trim());
    await prepareTenant(admin);
    const seedStart = performance.now();
    const devices = await seedDevices(dataDir, databaseUrl, options.devices);
    const seedSeconds = (performance.now() - seedStart) / 1000;

    const stats = new CheckinStats();
    const before = sampleProcess(child.pid!);
    let peakRss = before.rssBytes;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, sampleProcess(child.pid!).rssBytes)), 500);
    const runStart = performance.now();
    await (options.mode === 'max' ? runMax : runPaced)(url, devices, options, stats);
    const elapsed = (performance.now() - runStart) / 1000;
    clearInterval(sampler);
    const after = sampleProcess(child.pid!);

    const failed = [...stats.errors.values()].reduce((a, b) => a + b, 0);
    const figures = {
      database: databaseUrl ? 'postgresql' : 'sqlite',
      mode: options.mode,
      devices: options.devices,
      checkinSeconds: options.checkinSeconds,
      seedSeconds: Number(seedSeconds.toFixed(1)),
      targetPerSecond: options.mode === 'paced' ? Number((options.devices / options.checkinSeconds).toFixed(1)) : null,
      concurrency: options.mode === 'max' ? options.concurrency : null,
      durationSeconds: Number(elapsed.toFixed(1)),
      checkins: stats.latenciesMs.length,
      checkinsPerSecond: Number((stats.latenciesMs.length / elapsed).toFixed(1)),
      p50Ms: Number(stats.percentile(50).toFixed(1)),
      p99Ms: Number(stats.percentile(99).toFixed(1)),
      maxMs: Number(stats.percentile(100).toFixed(1)),
      errors: failed,
      errorKinds: Object.fromEntries(stats.errors),
      serverCpuPercent: Number((((after.cpuSeconds - before.cpuSeconds) / elapsed) * 100).toFixed(0)),
      serverPeakRssMb: Number((peakRss / 2 ** 20).toFixed(0)),
    };
    for (const [name, value] of Object.entries(figures)) console.log(`${name.padEnd(18)} ${typeof value === 'object' ? JSON.stringify(value) : value}`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await rm(dataDir, { recursive: true, force: true });
    await cluster?.stop();
  }
}

const program = new Command('loadtest')
  .description('Simulate enrolled devices checking in against a fresh Atwork server and print throughput, latency, CPU and RSS.')
  .requiredOption('--devices <n>', 'simulated enrolled devices', positiveInt)
  .option('--checkin-seconds <s>', 'check-in period of each device', positiveInt, 900)
  .option('--duration <s>', 'how long to run', positiveInt, 60)
  .addOption(new Option('--database-url <url>', 'an empty PostgreSQL database; SQLite in a temp folder when absent').conflicts('throwawayPostgres'))
  .option('--throwaway-postgres', 'start a throwaway PostgreSQL cluster for the run', false)
  .addOption(new Option('--mode <mode>', 'paced: each device on its period; max: back-to-back check-ins').choices(['paced', 'max']).default('paced'))
  .option('--concurrency <n>', 'concurrent devices in max mode', positiveInt, 32);

program.parse();
main(program.opts<Options>()).catch((error: unknown) => {
  console.error(`loadtest: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
