// The Electron main process: the root daemon with --daemon (daemon-process.ts); otherwise one instance, the agent core in
// process, its status window or onboarding's kiosk, a clean stop on quit.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, powerMonitor, protocol, safeStorage, session, shell } from 'electron';
import { createNodeAgent, lockStateFolder } from '../agent/service/node-agent';
import { APP_SCHEME } from './app-origin';
import { APP_SCHEME_REGISTRATION, createAppProtocolHandler } from './app-protocol';
import { createWindowFactory } from './app-windows';
import { contentSecurityPolicy, serverImageSource } from '../shared/content-security-policy';
import { followEnrolledServer } from './enrolled-server';
import { OnboardingKiosk } from './onboarding-kiosk';
import { isDaemonProcess, runDaemonProcess } from './daemon-process';
import { stopBeforeQuit } from './stop-before-quit';
import { messageOf } from '../agent/core/error-message';
import { appLogFile, createFileLogger } from './file-logger';
import { createConsoleLogger } from '../agent/service/console-logger';
import type { Logger } from '../agent/core/ports';
import { serveAgentOverIpc } from './ipc-main';
import { SafeStorageSecretStore } from './safe-storage-secret-store';
import { denyAllPermissions } from './session-permissions';
import { TrustedWindows } from './trusted-windows';

// Layout of the built app: dist/main/index.js next to dist/preload/index.cjs and dist/renderer/index.html.
const distDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const preloadPath = path.join(distDir, 'preload', 'index.cjs');
const rendererDir = path.join(distDir, 'renderer');

// ---- Security-sensitive, and only possible before the app is ready. ----
// Every renderer sandboxed, whatever a window's options say.
app.enableSandbox();
// The UI's own origin, atwork-app://app, instead of file:// (which every local file shares).
protocol.registerSchemesAsPrivileged([APP_SCHEME_REGISTRATION]);
// ---- End of security-sensitive settings. ----

// stderr until the app is ready and knows its log folder; ~/Library/Logs/Atwork/app.log from then on.
let logger: Logger = createConsoleLogger();
const windows = new TrustedWindows();
const createWindow = createWindowFactory({
  newWindow: (options) => new BrowserWindow(options),
  preloadPath,
  windows,
  openExternal: (url, options) => shell.openExternal(url, options),
  onLoadFailure: (kind, error) => logger.error('a window could not load the UI', { kind, reason: String(error) }),
});
let statusWindow: BrowserWindow | null = null;
let kiosk: OnboardingKiosk | null = null;
// No window before its scheme and its IPC handlers are in place: a Dock click during start-up waits for them.
let started = false;

function showStatusWindow(): void {
  // While onboarding's kiosk is up, it is the only window.
  if (kiosk?.active) {
    kiosk.focus();
    return;
  }
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
  denyAllPermissions(session.defaultSession);

  const stateDir = process.env.ATWORK_STATE_DIR ?? path.join(app.getPath('userData'), 'agent');
  // The app hosts the agent core itself: a daemon or CLI agent on the same folder must not run beside it (issue 9).
  const lock = await lockStateFolder(stateDir);
  // The app runs as the logged-in user: its device key is sealed by safeStorage (the user's Keychain), not a plain file.
  logger = createFileLogger({ file: appLogFile(app.getPath('logs')), console: !app.isPackaged });
  const service = createNodeAgent({
    logger,
    stateDir,
    secrets: new SafeStorageSecretStore(safeStorage, stateDir),
    // Onboarding's landing page (https only, checked by the onboarding machine) in the user's default browser.
    openLandingPage: (url) => void shell.openExternal(url).catch((error: unknown) => logger.error('the landing page could not be opened', { url, reason: String(error) })),
  });
  // The windows reach the agent only through its contract, so the daemon's socket client can take its place later.
  serveAgentOverIpc(service, windows);
  // The UI and its CSP; the CSP lets in images of the server this device is enrolled with, once there is one.
  const enrolledServerUrl = followEnrolledServer(service);
  protocol.handle(
    APP_SCHEME,
    createAppProtocolHandler({
      rootDir: rendererDir,
      contentSecurityPolicy: async () => contentSecurityPolicy(serverImageSource(await enrolledServerUrl())),
    }),
  );
  service.start();
  // Timers stand still while a Mac sleeps: a missed scheduled run is caught up at wake, not up to a minute later (issue 5).
  powerMonitor.on('resume', () => service.wakeScheduler());

  stopBeforeQuit(
    app,
    async () => {
      await service.stop();
      await lock.release();
    },
    logger,
  );

  // Onboarding after an automated enrollment takes the screen in the kiosk window until it is over (issue 12).
  kiosk = new OnboardingKiosk({
    agent: service,
    createWindow,
    onOpened: () => statusWindow?.close(),
    onClosed: () => showStatusWindow(),
    log: (message) => logger.info(message),
  });
  await kiosk.start();

  started = true;
  if (!kiosk.active) showStatusWindow();
}

if (isDaemonProcess()) {
  // The root daemon: the agent core for every user of this Mac, over its socket; no window of its own.
  runDaemonProcess(app, powerMonitor);
} else if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (started) showStatusWindow();
  });
  // On macOS the agent keeps running with no window; the Dock icon brings the window back.
  app.on('activate', () => {
    if (started) showStatusWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app
    .whenReady()
    .then(startApp)
    .catch((error: unknown) => {
      logger.error('Atwork could not start', { reason: messageOf(error) });
      app.exit(1);
    });
}
