// `npm start`, the main job: server on embedded SQLite, demo seed, local agent enrolled and running, and its UI.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startServer } from '../src/server/app/server-app';
import { createNodeAgent, lockStateFolder } from '../src/agent/service/node-agent';
import { startBrowserBridge } from '../src/agent/transport/browser-bridge-server';
import { AdminClient } from '../src/server/admin-api/admin-api-client';
import { demoEnrollmentToken, demoPin, enableDemoOnboarding, seedDemo, DEMO_USERNAME } from './demo-seed';
import { buildRendererIfStale, RENDERER_DIST } from './renderer-build';

const dataDir = path.resolve(process.env.ATWORK_DATA_DIR ?? '.atwork');
const portFile = path.join(dataDir, 'server-port');

/** The port of the last run, so the enrolled agent finds its server again after a restart. */
async function chooseServerPort(): Promise<number> {
  if (process.env.ATWORK_PORT) return Number(process.env.ATWORK_PORT);
  if (!existsSync(portFile)) return 0;
  return Number((await readFile(portFile, 'utf8')).trim());
}

/**
 * Path of Electron's binary where it is installed; null where only the browser host can run.
 *
 * Read from electron's path.txt rather than require('electron'), which would try to download a missing binary.
 */
function electronBinary(): string | null {
  if (process.env.ATWORK_UI === 'browser' || process.env.CI) return null;
  const packageDir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const pathFile = path.join(packageDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH ?? path.join(packageDir, 'dist'), readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

/** Builds main, preload and renderer and runs the app; it hosts the agent core in process (single-process mode). */
async function runElectron(binary: string, stateDir: string): Promise<ChildProcess> {
  const { build } = await import('vite');
  for (const mode of ['preload', 'main']) await build({ configFile: 'vite.electron.config.ts', mode, logLevel: 'warn' });
  return spawn(binary, ['.'], { stdio: 'inherit', env: { ...process.env, ATWORK_STATE_DIR: stateDir } });
}

function openInBrowser(url: string): void {
  if (process.env.ATWORK_NO_OPEN || process.env.CI) return;
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  spawn(opener, [url], { stdio: 'ignore', detached: true }).on('error', () => undefined).unref();
}

async function main(): Promise<void> {
  // A new folder is private; an existing one is checked (not quietly chmodded) by the server's start.
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await buildRendererIfStale();

  // The terminal shows the three lines below; the server's request log goes to <data>/logs/.
  const server = await startServer({ dataDir, log: { level: 'info', stream: null } });
  let serverUrl: string;
  const port = await chooseServerPort();
  try {
    serverUrl = await server.listen({ host: '127.0.0.1', port });
  } catch (err) {
    await server.close();
    throw new Error(`port ${port} is taken; stop what uses it or start with ATWORK_PORT=<free port> (${(err as Error).message})`);
  }
  await writeFile(portFile, `${new URL(serverUrl).port}\n`);
  console.log(`Atwork server   ${serverUrl}`);

  const admin = new AdminClient(serverUrl, (await readFile(path.join(dataDir, 'admin-token'), 'utf8')).trim());
  await seedDemo(admin);

  // ATWORK_DEMO_ONBOARDING=1: a new Mac each start, enrolled automatically with onboarding on, so the kiosk shows.
  const demoOnboarding = process.env.ATWORK_DEMO_ONBOARDING === '1';
  const stateDir = path.join(dataDir, demoOnboarding ? 'agent-onboarding-demo' : 'agent');
  if (demoOnboarding) {
    await rm(stateDir, { recursive: true, force: true });
    await enableDemoOnboarding(admin);
    if (process.platform !== 'darwin') process.env.ATWORK_TEST_INSTALLER ??= path.resolve(RENDERER_DIST, '..', '..', 'scripts', 'demo-installer.sh');
  }
  // Held while this process hosts the agent, so an `atwork-agent run` on the same folder is refused (issue 9).
  const agentLock = await lockStateFolder(stateDir);
  const agent = createNodeAgent({ stateDir, enrollmentFile: null, openLandingPage: openInBrowser });
  let deviceId = (await agent.getStatus()).deviceId;
  if (demoOnboarding) {
    ({ deviceId } = await agent.enroll({ serverUrl, token: await demoEnrollmentToken(admin) }));
    console.log(`Atwork device   ${deviceId}, enrolled automatically: the UI shows its onboarding`);
  } else if ((!(await agent.isEnrolled()) || !deviceId) && process.env.ATWORK_ENROLL === 'manual') {
    // Registration is then the UI's first page, as on a Mac that was not enrolled automatically.
    console.log(`Atwork device   none: register in the UI with ${serverUrl}, user "${DEMO_USERNAME}", PIN ${await demoPin(admin)}`);
  } else {
    if (!(await agent.isEnrolled()) || !deviceId) {
      ({ deviceId } = await agent.enroll({ serverUrl, username: DEMO_USERNAME, pin: await demoPin(admin) }));
    }
    console.log(`Atwork device   ${deviceId}`);
  }

  const stops: (() => Promise<unknown>)[] = [];
  const electron = electronBinary();
  if (electron) {
    // The Electron app hosts the agent from here on and takes the lock itself.
    await agentLock.release();
    const app = await runElectron(electron, stateDir);
    console.log('Atwork UI       Electron window');
    app.on('exit', () => void stop());
    stops.push(async () => {
      if (app.exitCode === null) app.kill('SIGTERM');
    });
  } else {
    // Electron's binary is not installable on every machine (CI here has none); the same UI is then served to a browser.
    agent.start();
    const bridge = await startBrowserBridge({ service: agent, staticDir: RENDERER_DIST });
    console.log(`Atwork UI       ${bridge.url}`);
    openInBrowser(bridge.url);
    stops.push(() => bridge.close(), () => agent.stop(), () => agentLock.release());
  }
  stops.push(() => server.close());

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    for (const step of stops) await step();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(`Atwork could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
