// createWindow(kind): every window gets the pure webPreferences, is trusted for IPC, and has the common events before it loads.
import { beforeEach, describe, expect, it } from 'vitest';
import type { BrowserWindowConstructorOptions } from 'electron';
import { APP_START_URL } from '../../src/main/app-origin';
import { createWindowFactory } from '../../src/main/app-windows';
import type { WindowKind } from '../../src/main/app-windows';
import { TrustedWindows } from '../../src/main/trusted-windows';
import { buildWebPreferences } from '../../src/main/window-options';
import { FakeBrowserWindow } from './fake-browser-window';
import { fromMainFrame } from './fake-ipc-main';

const preloadPath = '/Applications/Atwork.app/Contents/Resources/app/dist/preload/index.cjs';
// A Record, so a window kind added to app-windows.ts without a line here fails to compile.
const KINDS = Object.keys({ status: true, kiosk: true } satisfies Record<WindowKind, true>) as WindowKind[];

let made: FakeBrowserWindow[];
let opened: string[];
let loadFailures: [WindowKind, unknown][];
let windows: TrustedWindows;
let createWindow: (kind: WindowKind) => unknown;

beforeEach(() => {
  made = [];
  opened = [];
  loadFailures = [];
  windows = new TrustedWindows();
  createWindow = createWindowFactory({
    newWindow: (options: BrowserWindowConstructorOptions) => {
      const window = new FakeBrowserWindow(options, 100 + made.length);
      made.push(window);
      return window.asBrowserWindow();
    },
    preloadPath,
    windows,
    openExternal: async (url) => {
      opened.push(url);
    },
    onLoadFailure: (kind, error) => loadFailures.push([kind, error]),
  });
});

describe.each(KINDS)('createWindow(%s)', (kind) => {
  it('builds the window with exactly the webPreferences of buildWebPreferences, hidden until painted', () => {
    createWindow(kind);
    const [window] = made;
    expect(window?.options.webPreferences).toEqual(buildWebPreferences(preloadPath));
    expect(window?.options.show).toBe(false);
    expect(window?.shown).toBe(false);
    window?.emit('ready-to-show');
    expect(window?.shown).toBe(true);
  });

  it('trusts the window for IPC once it shows the app, until it is destroyed', () => {
    createWindow(kind);
    const window = made[0]!;
    expect(windows.isTrustedSender(fromMainFrame(window.webContents))).toBe(true);
    window.webContents.destroy();
    expect(windows.isTrustedSender(fromMainFrame(window.webContents))).toBe(false);
  });

  it('loads the app origin only, with the common window events in place before it does', () => {
    createWindow(kind);
    const window = made[0]!;
    expect(window.loaded).toEqual([APP_START_URL]);
    expect(window.stateAtLoad).toEqual([{ listeners: ['destroyed', 'will-attach-webview', 'will-navigate', 'will-redirect'], windowOpenHandler: true }]);
    expect(window.webContents.windowOpenHandler?.({ url: 'https://support.example.com/' })).toEqual({ action: 'deny' });
    expect(window.webContents.navigate('will-navigate', 'https://evil.example/')).toBe(true);
    expect(opened).toEqual(['https://support.example.com/', 'https://evil.example/']);
  });

  it('reports a page that cannot load instead of failing silently', async () => {
    const failure = new Error('ERR_FILE_NOT_FOUND');
    const factory = createWindowFactory({
      newWindow: (options) => {
        const window = new FakeBrowserWindow(options, 200);
        window.loadFailure = failure;
        return window.asBrowserWindow();
      },
      preloadPath,
      windows,
      openExternal: async () => undefined,
      onLoadFailure: (failedKind, error) => loadFailures.push([failedKind, error]),
    });
    factory(kind);
    await expect.poll(() => loadFailures).toEqual([[kind, failure]]);
  });
});

describe('createWindowFactory', () => {
  it('refuses a relative preload path before making any window', () => {
    const factory = createWindowFactory({
      newWindow: () => {
        throw new Error('no window should be made');
      },
      preloadPath: 'dist/preload/index.cjs',
      windows,
      openExternal: async () => undefined,
      onLoadFailure: () => undefined,
    });
    expect(() => factory('status')).toThrow('must be absolute');
  });
});
