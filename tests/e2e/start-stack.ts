// `npm start`'s job (scripts/start.ts) in a temp folder for an e2e spec: the server, the demo seed, the enrolled agent
// and its browser bridge, with the three lines it prints parsed.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const STARTUP_TIMEOUT_MS = 90_000;

export interface StartedStack {
  serverUrl: string;
  deviceId: string;
  uiUrl: string;
  /** With ATWORK_ENROLL=manual: the user and PIN `npm start` prints for registering in the UI. */
  registration: { username: string; pin: string } | null;
  dataDir: string;
  stop(): Promise<void>;
}

/** Resolves with the three lines `npm start` prints, or rejects with its output if it exits or takes too long. */
function waitForStartLines(child: ChildProcess): Promise<Omit<StartedStack, 'dataDir' | 'stop'>> {
  return new Promise((resolve, reject) => {
    let output = '';
    const fail = (why: string): void => {
      clearTimeout(timer);
      reject(new Error(`${why}\n--- output ---\n${output}`));
    };
    const timer = setTimeout(() => fail(`npm start printed no UI URL within ${STARTUP_TIMEOUT_MS / 1000} s.`), STARTUP_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const serverUrl = /^Atwork server {3}(http:\/\/127\.0\.0\.1:\d+)\s*$/m.exec(output)?.[1];
      const deviceId = /^Atwork device {3}(\S+?):?(\s|$)/m.exec(output)?.[1];
      const uiUrl = /^Atwork UI {7}(http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]+)\s*$/m.exec(output)?.[1];
      const manual = /^Atwork device {3}none: .* user "([^"]+)", PIN (\d+)\s*$/m.exec(output);
      if (serverUrl && deviceId && uiUrl) {
        clearTimeout(timer);
        resolve({ serverUrl, deviceId, uiUrl, registration: manual ? { username: manual[1]!, pin: manual[2]! } : null });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('exit', (code, signal) => fail(`npm start exited early (code ${code}, signal ${signal}).`));
    child.once('error', (error) => fail(`npm start could not be spawned: ${error.message}`));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(forced);
}

/** Starts the stack in a new temp data folder; `env` adds to the environment (e.g. a test installer). */
export async function startStack(env: Record<string, string> = {}): Promise<StartedStack> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'atwork-e2e-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: repoRoot,
    env: { ...process.env, ATWORK_DATA_DIR: dataDir, ATWORK_NO_OPEN: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = async (): Promise<void> => {
    await stopChild(child);
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    return { ...(await waitForStartLines(child)), dataDir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
