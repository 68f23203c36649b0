// The Electron main process: one instance, the agent core in process, one status window, a clean stop on quit.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain, powerMonitor, safeStorage, session, shell } from 'electron';
import { createNodeAgent, lockStateFolder } from '../agent/node-agent';
import { forwardStatusChanges, registerHandlers } from './ipc-handlers';
import { SafeStorageSecretStore } from './safe-storage-secret-store';
import { TrustedWindows } from './trusted-windows';
import { handleCommonWindowEvents } from './window-events';
import { buildWebPreferences } from './window-options';

// Layout of the built app: dist/main/index.js next to dist/preload/index.cjs and dist/renderer/index.html.
const distDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const preloadPath = path.join(distDir, 'preload', 'index.cjs');
const appUrl = pathToFileURL(path.join(distDir, 'renderer', 'index.html')).toString();

const windows = new TrustedWindows();
let statusWindow: BrowserWindow | null = null;

function showStatusWindow(): void {
  if (statusWindow !== null) {
    if (statusWindow.isMinimized()) statusWindow.restore();
    statusWindow.focus();
    return;
  }
  const window = new BrowserWindow({
    title: 'Atwork',
    width: 900,
    height: 680,
    minWidth: 800,
    minHeight: 600,
    show: false,
    backgroundColor: '#f5f5f7',
    webPreferences: buildWebPreferences(preloadPath),
  });
  windows.track(window.webContents);
  handleCommonWindowEvents(window.webContents, { appUrl, openExternal: (url, options) => shell.openExternal(url, options) });
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    statusWindow = null;
  });
  statusWindow = window;
  void window.loadURL(appUrl);
}

async function startApp(): Promise<void> {
  // ---- Security-sensitive: the UI needs no camera, notifications, geolocation or other permission. ----
  session.defaultSession.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  // ---- End of security-sensitive settings. ----

  const stateDir = process.env.ATWORK_STATE_DIR ?? path.join(app.getPath('userData'), 'agent');
  // The app hosts the agent core itself: a daemon or CLI agent on the same folder must not run beside it (issue 9).
  const lock = await lockStateFolder(stateDir);
  // The app runs as the logged-in user: its device key is sealed by safeStorage (the user's Keychain), not a plain file.
  const service = createNodeAgent({ stateDir, secrets: new SafeStorageSecretStore(safeStorage, stateDir) });
  registerHandlers(ipcMain, service, (event) => windows.isTrustedSender(event));
  forwardStatusChanges(service, windows);
  service.start();
  // Timers stand still while a Mac sleeps: a missed scheduled run is caught up at wake, not up to a minute later (issue 5).
  powerMonitor.on('resume', () => service.wakeScheduler());

  // Quitting waits for the agent to stop, so a run in progress is recorded rather than cut off mid-write.
  let stopped = false;
  app.on('will-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    service
      .stop()
      .then(() => lock.release())
      .catch((error: unknown) => console.error(`The agent did not stop cleanly: ${String(error)}`))
      .finally(() => {
        stopped = true;
        app.quit();
      });
  });

  showStatusWindow();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => showStatusWindow());
  // On macOS the agent keeps running with no window; the Dock icon brings the window back.
  app.on('activate', () => {
    if (app.isReady()) showStatusWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app
    .whenReady()
    .then(startApp)
    .catch((error: unknown) => {
      console.error(`Atwork could not start: ${error instanceof Error ? error.message : String(error)}`);
      app.exit(1);
    });
}
