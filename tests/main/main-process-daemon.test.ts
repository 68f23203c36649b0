// src/main/index.ts as `Atwork --daemon` under Node with electron mocked: no window and no Dock icon, the agent on its
// socket for root, its log in the daemon's log file, and a clean stop when launchd or the system quits it.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAgentSocketClient } from '../../src/agent/transport/agent-socket-client';
import { electronFake as electron } from './fake-electron';

vi.mock('electron', () => import('./fake-electron'));

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'atwork-main-daemon-'));
  vi.stubEnv('ATWORK_STATE_DIR', path.join(dir, 'agent'));
  vi.stubEnv('ATWORK_SOCKET_DIR', path.join(dir, 'socket'));
  vi.stubEnv('ATWORK_LOG_FILE', path.join(dir, 'logs', 'daemon.log'));
  process.argv.push('--daemon');
  await import('../../src/main/index');
  electron.markReady();
});

afterAll(async () => {
  process.argv.splice(process.argv.indexOf('--daemon'), 1);
  vi.unstubAllEnvs();
  await rm(dir, { recursive: true, force: true });
  await rm(electron.pathsRoot, { recursive: true, force: true });
});

describe.runIf(process.getuid?.() === 0)('the main process as the daemon', () => {
  it('serves the agent on its socket, with no window and no Dock icon', async () => {
    await expect.poll(() => existsSync(path.join(dir, 'socket', 'agent.sock'))).toBe(true);
    await expect(createAgentSocketClient({ folder: path.join(dir, 'socket') }).getStatus()).resolves.toMatchObject({ enrolled: false });
    expect(electron.windows).toEqual([]);
    expect(electron.calls).toContain('dock.hide');
    expect(electron.appListeners.has('activate')).toBe(false);
  });

  it('logs to the daemon log file', async () => {
    expect(await readFile(path.join(dir, 'logs', 'daemon.log'), 'utf8')).toMatch(/\[info\] +daemon started \{"socketPath":"[^"]+agent\.sock","consoleUid":null\}/);
  });

  it('stops the agent and takes the socket down before it quits', async () => {
    let prevented = false;
    electron.appListeners.get('will-quit')?.({ preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    await expect.poll(() => electron.state.quit).toBe(true);
    expect(existsSync(path.join(dir, 'socket', 'agent.sock'))).toBe(false);
  });
});
