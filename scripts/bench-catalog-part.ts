// One process of `npm run bench:catalog`'s stack, as on a real Mac and its server: `server` (a real server on SQLite
// with 1,000 apps) or `agent SERVER_URL PIN` (an enrolled agent and its browser bridge). Prints one JSON line with what
// the benchmark needs, then runs until SIGTERM or until its standard input closes (the benchmark has gone).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from '../src/agent/core/ports';
import { createNodeAgent } from '../src/agent/service/node-agent';
import { startBrowserBridge } from '../src/agent/transport/browser-bridge-server';
import { AdminClient } from '../src/server/admin-api/admin-api-client';
import { startServer } from '../src/server/app/server-app';
import { BENCH_USER, enrollSecondDevice, seedApps } from './bench-catalog-seed';
import { distributeSystemDefaultToEveryone } from './demo-seed';
import { RENDERER_DIST } from './renderer-build';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function server(dataDir: string, appCount: number): Promise<{ answer: object; stop(): Promise<void> }> {
  // The UI benchmark sends a few hundred device calls a minute from one device; the fleet's default (120 a minute) would refuse them.
  const app = await startServer({ dataDir, deviceRateLimits: { perDevice: 1_000_000, perAddress: 1_000_000 } });
  const serverUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  const admin = new AdminClient(serverUrl, app.createdAdminToken!);
  const seedStart = performance.now();
  await distributeSystemDefaultToEveryone(admin);
  const user = await admin.call<{ id: string }>('POST', '/users', { username: BENCH_USER, displayName: 'Bench User' });
  const apps = await seedApps(admin, appCount);
  const seedSeconds = (performance.now() - seedStart) / 1000;
  const { pin } = await admin.call<{ pin: string }>('POST', `/users/${user.id}/registration-pins`, {});
  const secondDevice = await enrollSecondDevice(admin, serverUrl, user.id);
  return { answer: { serverUrl, apps, seedSeconds, agentPin: pin, secondDevice }, stop: () => app.close() };
}

async function agent(dataDir: string, serverUrl: string, pin: string): Promise<{ answer: object; stop(): Promise<void> }> {
  const node = createNodeAgent({ stateDir: dataDir, logger: quiet });
  await node.enroll({ serverUrl, username: BENCH_USER, pin });
  node.start();
  const bridge = await startBrowserBridge({ service: node, staticDir: RENDERER_DIST });
  return {
    answer: { uiUrl: bridge.url },
    stop: async () => {
      await bridge.close();
      await node.stop();
    },
  };
}

async function main(): Promise<void> {
  const [role, ...args] = process.argv.slice(2);
  const dataDir = await mkdtemp(path.join(tmpdir(), `atwork-bench-catalog-${role}-`));
  let part: { answer: object; stop(): Promise<void> } | null = null;
  const finish = async (code: number) => {
    await part?.stop().catch((err: unknown) => console.error(`clean-up: ${String(err)}`));
    await rm(dataDir, { recursive: true, force: true });
    process.exit(code);
  };
  process.once('SIGTERM', () => void finish(0));
  process.stdin.on('end', () => void finish(0)).resume();
  try {
    if (role === 'server') part = await server(dataDir, Number(args[0]));
    else if (role === 'agent') part = await agent(dataDir, args[0]!, args[1]!);
    else throw new Error(`unknown part ${String(role)}: server APPS or agent SERVER_URL PIN`);
    process.stdout.write(`${JSON.stringify(part.answer)}\n`);
  } catch (err) {
    console.error(err);
    await finish(1);
  }
}

void main();
