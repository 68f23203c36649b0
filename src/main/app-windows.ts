// Every Atwork window is built here: the pure webPreferences, trust for IPC and the common window events, none forgettable.
import type { BrowserWindow, BrowserWindowConstructorOptions, Shell } from 'electron';
import { APP_START_URL } from './app-origin';
import type { TrustedWindows } from './trusted-windows';
import { handleCommonWindowEvents } from './window-events';
import { buildWebPreferences } from './window-options';

/** What differs between windows: their size and title, never their webPreferences (those come from window-options.ts). */
type WindowLook = Omit<BrowserWindowConstructorOptions, 'webPreferences'>;

/** The windows of the app; a new one is one entry here. */
const WINDOW_KINDS = {
  status: { title: 'Atwork', width: 900, height: 680, minWidth: 800, minHeight: 600 },
  // Onboarding after an automated enrollment; made only by onboarding-kiosk.ts, which also locks its keys and close.
  kiosk: {
    title: 'Atwork',
    kiosk: true,
    alwaysOnTop: true,
    closable: false,
    minimizable: false,
    maximizable: false,
    resizable: false,
    movable: false,
    skipTaskbar: true,
    autoHideMenuBar: true,
    frame: false,
  },
} satisfies Record<string, WindowLook>;

export type WindowKind = keyof typeof WINDOW_KINDS;

export interface WindowFactoryOptions {
  /** Makes the window: `(options) => new BrowserWindow(options)` in the app, a fake under Node. */
  newWindow(options: BrowserWindowConstructorOptions): BrowserWindow;
  /** Absolute path of the built preload. */
  preloadPath: string;
  windows: Pick<TrustedWindows, 'track'>;
  openExternal: Shell['openExternal'];
  /** Told when a window cannot load the UI. */
  onLoadFailure(kind: WindowKind, error: unknown): void;
}

/**
 * Returns createWindow(kind): the one way the app makes a window.
 *
 * The window is trusted and its navigation rules are in place before it loads anything, so not even its first page
 * runs without them. It loads the app's own origin (app-protocol.ts), never remote content: it holds the AgentApi.
 */
export function createWindowFactory(options: WindowFactoryOptions): (kind: WindowKind) => BrowserWindow {
  return (kind) => {
    const window = options.newWindow({
      ...WINDOW_KINDS[kind],
      show: false,
      backgroundColor: '#f5f5f7',
      webPreferences: buildWebPreferences(options.preloadPath),
    });
    options.windows.track(window.webContents);
    handleCommonWindowEvents(window.webContents, options.openExternal);
    // Shown once painted, so a window never flashes empty.
    window.once('ready-to-show', () => window.show());
    window.loadURL(APP_START_URL).catch((error: unknown) => options.onLoadFailure(kind, error));
    return window;
  };
}
