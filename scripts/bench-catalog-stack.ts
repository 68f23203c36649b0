// The stack of `npm run bench:catalog` in two processes of its own, as on a real Mac and its server: the server with
// 1,000 apps, and one enrolled agent with its browser bridge. Chromium's driver stays in the benchmark's process, so
// its work and garbage collection do not fall on the server or the bridge (in one process, a 79 ms mark-compact of the
// shared heap could delay the UI's bundle by 180 ms and decide a run's figure).
import { spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, type JsonWebKey } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { signDeviceToken } from '../src/shared/node/device-token';
import { buildRendererIfStale } from './renderer-build';

export interface BenchStack {
  serverUrl: string;
  uiUrl: string;
  /** The apps as the admin API created them, in creation order. */
  apps: { id: string; name: string }[];
  /** Signs a token of a second device of the bench user, for the endpoint benchmark. */
  signDevice: () => Promise<string>;
  seedSeconds: number;
  /** Stops the agent and its bridge, for the endpoint benchmark: a fleet's server does not share its cores with a Mac's agent. */
  stopAgent(): Promise<void>;
  stop(): Promise<void>;
}

interface ServerAnswer {
  serverUrl: string;
  apps: { id: string; name: string }[];
  seedSeconds: number;
  agentPin: string;
  secondDevice: { deviceId: string; privateKey: JsonWebKey };
}

const PART = fileURLToPath(new URL('./bench-catalog-part.ts', import.meta.url));

/** Starts one part and resolves with its JSON line; rejects with its error output if it exits first. */
function startPart<T>(args: string[], started: ChildProcess[]): Promise<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', PART, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  started.push(child);
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  return new Promise<T>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line) as T));
    child.once('exit', (code) => reject(new Error(`bench part ${args[0]} exited with ${String(code)}: ${errors.trim()}`)));
  });
}

async function stopPart(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export async function startBenchStack(appCount: number): Promise<BenchStack> {
  const started: ChildProcess[] = [];
  const stop = async () => {
    for (const child of started.reverse().splice(0)) await stopPart(child);
  };
  try {
    await buildRendererIfStale();
    const server = await startPart<ServerAnswer>(['server', String(appCount)], started);
    const { uiUrl } = await startPart<{ uiUrl: string }>(['agent', server.serverUrl, server.agentPin], started);
    const agent = started.at(-1)!;
    const key = createPrivateKey({ key: server.secondDevice.privateKey, format: 'jwk' });
    return {
      serverUrl: server.serverUrl,
      uiUrl,
      apps: server.apps,
      seedSeconds: server.seedSeconds,
      signDevice: () => signDeviceToken(key, server.secondDevice.deviceId),
      stopAgent: () => stopPart(agent),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
