// The Electron main process: one instance, the agent core in process, one status window, a clean stop on quit.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, powerMonitor, safeStorage, session, shell } from 'electron';
import { createNodeAgent, lockStateFolder } from '../agent/service/node-agent';
import { createWindowFactory } from './app-windows';
import { serveAgentOverIpc } from './ipc-main';
import { SafeStorageSecretStore } from './safe-storage-secret-store';
import { TrustedWindows } from './trusted-windows';

// Layout of the built app: dist/main/index.js next to dist/preload/index.cjs and dist/renderer/index.html.
const distDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const preloadPath = path.join(distDir, 'preload', 'index.cjs');
const appUrl = pathToFileURL(path.join(distDir, 'renderer', 'index.html')).toString();

const windows = new TrustedWindows();
const createWindow = createWindowFactory({
  newWindow: (options) => new BrowserWindow(options),
  preloadPath,
  appUrl,
  windows,
  openExternal: (url, options) => shell.openExternal(url, options),
  onLoadFailure: (kind, error) => console.error(`The ${kind} window could not load the UI: ${String(error)}`),
});
let statusWindow: BrowserWindow | null = null;

function showStatusWindow(): void {
  if (statusWindow !== null) {
    if (statusWindow.isMinimized()) statusWindow.restore();
    statusWindow.focus();
    return;
  }
  const window = createWindow('status');
  window.on('closed', () => {
    statusWindow = null;
  });
  statusWindow = window;
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
  // The windows reach the agent only through its contract, so the daemon's socket client can take its place later.
  serveAgentOverIpc(service, windows);
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
