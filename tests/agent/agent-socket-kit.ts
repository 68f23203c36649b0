// Shared pieces of the daemon socket tests: raw HTTP over the socket, event streams, token files, file modes, child processes.
import { execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { lstat, readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tokenFileIn } from '../../src/agent/transport/agent-socket-paths';
import { EVENTS_PATH, routeOf } from '../../src/shared/agent-service-http';

/** What every wait of the socket tests is bounded by. */
export const WAIT_MS = 5000;

export const STATUS_PATH = routeOf('getStatus').path;

export const REFUSED_BODY = { error: "Missing or wrong agent token; only the console user's Atwork and root may use the agent." };

export interface RawResponse {
  status: number;
  body: string;
}

/** A GET over the socket with Node's own http: no token handling of the client under test. */
export function rawGet(socketPath: string, path: string, headers: Record<string, string>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.setTimeout(WAIT_MS, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

export interface OpenStream {
  status: number;
  /** Resolves when the daemon ends the stream, rejects when it has not within WAIT_MS. */
  ended: Promise<void>;
  close(): void;
}

/** Opens the event stream with a token and waits for its first bytes (a frame, or the refusal). */
export function openEventStream(socketPath: string, token: string): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: EVENTS_PATH, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      const ended = new Promise<void>((resolveEnd, rejectEnd) => {
        const timer = setTimeout(() => rejectEnd(new Error('the event stream did not end')), WAIT_MS);
        res.once('close', () => {
          clearTimeout(timer);
          resolveEnd();
        });
      });
      // Only the tests that wait for the end look at it.
      ended.catch(() => undefined);
      res.once('data', () => resolve({ status: res.statusCode ?? 0, ended, close: () => req.destroy() }));
    });
    req.setTimeout(WAIT_MS, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

export async function tokenOf(folder: string, uid: number): Promise<string> {
  return (await readFile(tokenFileIn(folder, uid), 'utf8')).trim();
}

export async function modeAndOwner(file: string): Promise<{ mode: number; uid: number }> {
  const info = await lstat(file);
  return { mode: info.mode & 0o777, uid: info.uid };
}

/** A local account's uid and gid, or null where it does not exist. */
export function lookUpUser(name: string): { uid: number; gid: number } | null {
  try {
    const id = (flag: string): number => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return null;
  }
}

/** The child processes a test file started, so its afterAll kills whatever still runs. */
export class ChildProcesses {
  private readonly running = new Set<ChildProcess>();

  track(child: ChildProcess): ChildProcess {
    this.running.add(child);
    child.once('exit', () => this.running.delete(child));
    return child;
  }

  killAll(): void {
    for (const child of this.running) child.kill('SIGKILL');
  }
}
