// src/main/index.ts under Node with electron mocked: what must happen before ready, and all of it in place before the first window loads.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { APP_START_URL } from '../../src/main/app-origin';
import { APP_SCHEME_REGISTRATION } from '../../src/main/app-protocol';
import { REQUEST_CHANNELS } from '../../src/preload/contract';
import type { FakeBrowserWindow } from './fake-browser-window';
import { fromMainFrame } from './fake-ipc-main';
import type { FakeIpcMain } from './fake-ipc-main';
import { FakeWebContents } from './fake-web-contents';

const electron = vi.hoisted(() => {
  const calls: string[] = [];
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  return {
    calls,
    ready,
    markReady: () => markReady(),
    appListeners: new Map<string, (event: { preventDefault(): void }) => void>(),
    protocolHandlers: new Map<string, (request: Request) => Promise<Response>>(),
    windows: [] as unknown[],
    state: { windowsAtHandle: -1, quit: false },
    permissionHandlers: { request: false, check: false },
  };
});

vi.mock('electron', async () => {
  const { FakeBrowserWindow: Window } = await import('./fake-browser-window');
  const { FakeIpcMain: Ipc } = await import('./fake-ipc-main');
  const ipcMain = new Ipc();
  return {
    ipcMain,
    app: {
      enableSandbox: () => electron.calls.push('enableSandbox'),
      requestSingleInstanceLock: () => true,
      on: (event: string, listener: (event: { preventDefault(): void }) => void) => electron.appListeners.set(event, listener),
      whenReady: () => electron.ready.then(() => electron.calls.push('ready')),
      getPath: () => tmpdir(),
      quit: () => (electron.state.quit = true),
      exit: (code: number) => electron.calls.push(`exit ${code}`),
    },
    BrowserWindow: class {
      constructor(options: object) {
        const window = new Window(options, 500 + electron.windows.length);
        electron.windows.push(window);
        return window;
      }
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown) => electron.calls.push(`registerSchemesAsPrivileged ${JSON.stringify(schemes)}`),
      handle: (scheme: string, handler: (request: Request) => Promise<Response>) => {
        electron.state.windowsAtHandle = electron.windows.length;
        electron.protocolHandlers.set(scheme, handler);
      },
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: () => (electron.permissionHandlers.request = true),
        setPermissionCheckHandler: () => (electron.permissionHandlers.check = true),
      },
    },
    safeStorage: {
      isEncryptionAvailable: () => true,
      encryptString: (text: string) => Buffer.from(text),
      decryptString: (sealed: Buffer) => sealed.toString(),
      getSelectedStorageBackend: () => 'keychain',
    },
    powerMonitor: { on: () => undefined },
    shell: { openExternal: async () => undefined },
  };
});

let stateDir: string;
let ipcMain: FakeIpcMain;

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'atwork-main-'));
  vi.stubEnv('ATWORK_STATE_DIR', stateDir);
  await import('../../src/main/index');
  ipcMain = (await import('electron')).ipcMain as unknown as FakeIpcMain;
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await rm(stateDir, { recursive: true, force: true });
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
    const window = electron.windows[0] as FakeBrowserWindow;
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
    const window = electron.windows[0] as FakeBrowserWindow;
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
