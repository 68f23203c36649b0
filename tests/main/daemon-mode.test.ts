// The root daemon under Node (it needs nothing of Electron): the agent core served over the socket to root and to
// whoever is at the console, followed as users come and go; one daemon per state folder; a clean stop.
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentSocketClient } from '../../src/agent/transport/agent-socket-client';
import { tokenFileIn } from '../../src/agent/transport/agent-socket-paths';
import { startDaemon, type RunningDaemon } from '../../src/main/daemon-mode';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const nobodyUid = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());
let dir: string;
let daemon: RunningDaemon;
let atConsole: { uid: number } | null = null;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'atwork-daemon-'));
  daemon = await startDaemon({ stateDir: path.join(dir, 'agent'), socketFolder: path.join(dir, 'socket'), logger: quiet, consoleUser: { currentUser: async () => atConsole }, pollMs: 60_000 });
});

afterAll(async () => {
  await daemon?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe.runIf(process.getuid?.() === 0)('the daemon', () => {
  it('answers root over the socket with the agent service', async () => {
    const client = createAgentSocketClient({ folder: path.join(dir, 'socket') });
    await expect(client.getStatus()).resolves.toMatchObject({ enrolled: false });
    expect(daemon.socketPath).toBe(path.join(dir, 'socket', 'agent.sock'));
  });

  it('lets in the console user as they log in, and no longer once they log out', async () => {
    const token = tokenFileIn(path.join(dir, 'socket'), nobodyUid);
    expect(existsSync(token)).toBe(false);
    atConsole = { uid: nobodyUid };
    await daemon.followConsoleUser();
    expect(statSync(token)).toMatchObject({ uid: nobodyUid, mode: 0o100600 });
    atConsole = null;
    await daemon.followConsoleUser();
    expect(existsSync(token)).toBe(false);
  });

  it('refuses a second daemon on the same state folder, naming the one that holds it', async () => {
    await expect(startDaemon({ stateDir: path.join(dir, 'agent'), socketFolder: path.join(dir, 'socket-2'), logger: quiet, consoleUser: { currentUser: async () => null } })).rejects.toThrow(/Atwork agent/);
  });
});
