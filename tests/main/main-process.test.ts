// src/main/index.ts under Node with electron mocked: what must happen before ready, and all of it in place before the first window loads.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { APP_START_URL } from '../../src/main/app-origin';
import { APP_SCHEME_REGISTRATION } from '../../src/main/app-protocol';
import { REQUEST_CHANNELS } from '../../src/preload/contract';
import { fromMainFrame } from './fake-ipc-main';
import { FakeWebContents } from './fake-web-contents';
import { electronFake as electron, ipcMain } from './fake-electron';

vi.mock('electron', () => import('./fake-electron'));

let stateDir: string;

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'atwork-main-'));
  vi.stubEnv('ATWORK_STATE_DIR', stateDir);
  await import('../../src/main/index');
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await rm(stateDir, { recursive: true, force: true });
  await rm(electron.pathsRoot, { recursive: true, force: true });
});

describe('the main process', () => {
  it('sandboxes every renderer and registers the app scheme before the app is ready', () => {
    expect(electron.calls).toEqual(['enableSandbox', `registerSchemesAsPrivileged ${JSON.stringify([APP_SCHEME_REGISTRATION])}`]);
  });

  it('opens no window before it has started, even when the Dock icon is clicked', () => {
    electron.appListeners.get('activate')?.({ preventDefault: () => undefined });
    expect(electron.windows).toEqual([]);
  });

  it('has the scheme, the permission rules and every IPC handler in place before the first window loads', async () => {
    electron.markReady();
    await expect.poll(() => electron.windows.length).toBe(1);
    const window = electron.windows[0]!;
    expect(electron.state.windowsAtHandle).toBe(0);
    expect(electron.permissionHandlers).toEqual({ request: true, check: true });
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...REQUEST_CHANNELS].sort());
    expect(window.loaded).toEqual([APP_START_URL]);
  });

  it('serves the UI on the app scheme with the CSP of a device not yet enrolled', async () => {
    const handler = electron.protocolHandlers.get('atwork-app')!;
    const response = await handler(new Request('atwork-app://app/'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("img-src 'self'; ");
    expect(await response.text()).toContain('<div id="root"></div>');
  });

  it('answers the window it made over IPC, and no other', async () => {
    const window = electron.windows[0]!;
    await expect(ipcMain.invoke('agent:get-status', fromMainFrame(window.webContents))).resolves.toMatchObject({ enrolled: false, serverUrl: null });
    const stranger = new FakeWebContents(999);
    stranger.mainFrame.url = APP_START_URL;
    await expect(ipcMain.invoke('agent:get-status', fromMainFrame(stranger))).rejects.toThrow("not the app's page");
  });

  it('stops the agent before it quits', async () => {
    let prevented = false;
    electron.appListeners.get('will-quit')?.({ preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    await expect.poll(() => electron.state.quit).toBe(true);
  });
});
