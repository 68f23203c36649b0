// The `electron` module for tests that import src/main/index.ts under Node: `vi.mock('electron', () => import('./fake-electron'))`.
// `electronFake` records what the main process asked of it; the test says when the app is ready.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FakeBrowserWindow } from './fake-browser-window';
import { FakeIpcMain } from './fake-ipc-main';

let markReady: () => void = () => undefined;
const ready = new Promise<void>((resolve) => {
  markReady = resolve;
});

export const electronFake = {
  /** Under which app.getPath(name) answers path.join(pathsRoot, name); the test removes it. */
  pathsRoot: mkdtempSync(path.join(tmpdir(), 'atwork-electron-paths-')),
  calls: [] as string[],
  markReady: () => markReady(),
  appListeners: new Map<string, (event: { preventDefault(): void }) => void>(),
  protocolHandlers: new Map<string, (request: Request) => Promise<Response>>(),
  windows: [] as FakeBrowserWindow[],
  state: { windowsAtHandle: -1, quit: false },
  permissionHandlers: { request: false, check: false },
  externalUrls: [] as string[],
};

export const ipcMain = new FakeIpcMain();

export const app = {
  enableSandbox: () => electronFake.calls.push('enableSandbox'),
  requestSingleInstanceLock: () => true,
  on: (event: string, listener: (event: { preventDefault(): void }) => void) => electronFake.appListeners.set(event, listener),
  whenReady: () => ready.then(() => electronFake.calls.push('ready')),
  getPath: (name: string) => path.join(electronFake.pathsRoot, name),
  isPackaged: true,
  dock: { hide: () => electronFake.calls.push('dock.hide') },
  quit: () => (electronFake.state.quit = true),
  exit: (code: number) => electronFake.calls.push(`exit ${code}`),
};

export class BrowserWindow {
  constructor(options: object) {
    const window = new FakeBrowserWindow(options, 500 + electronFake.windows.length);
    electronFake.windows.push(window);
    return window as unknown as BrowserWindow;
  }
}

export const protocol = {
  registerSchemesAsPrivileged: (schemes: unknown) => electronFake.calls.push(`registerSchemesAsPrivileged ${JSON.stringify(schemes)}`),
  handle: (scheme: string, handler: (request: Request) => Promise<Response>) => {
    electronFake.state.windowsAtHandle = electronFake.windows.length;
    electronFake.protocolHandlers.set(scheme, handler);
  },
};

export const session = {
  defaultSession: {
    setPermissionRequestHandler: () => (electronFake.permissionHandlers.request = true),
    setPermissionCheckHandler: () => (electronFake.permissionHandlers.check = true),
  },
};

export const safeStorage = {
  isEncryptionAvailable: () => true,
  encryptString: (text: string) => Buffer.from(text),
  decryptString: (sealed: Buffer) => sealed.toString(),
  getSelectedStorageBackend: () => 'keychain',
};

export const powerMonitor = { on: () => undefined };

export const shell = {
  openExternal: async (url: string) => void electronFake.externalUrls.push(url),
};
