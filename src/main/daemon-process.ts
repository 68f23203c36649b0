// `Atwork --daemon`: the Electron process as the root daemon, no window and no Dock icon, logging to
// /Library/Logs/Atwork/daemon.log; stopped cleanly when launchd or the system quits it (issue 13).
import type { App, PowerMonitor } from 'electron';
import { MacConsoleUser } from '../agent/runner/console-user';
import { messageOf } from '../agent/core/error-message';
import { DAEMON_LOG_FILE, createFileLogger } from './file-logger';
import { MAC_DAEMON_STATE_DIR, MAC_SOCKET_FOLDER, startDaemon } from './daemon-mode';
import { stopBeforeQuit } from './stop-before-quit';

/** Whether this process was started as the daemon (the LaunchDaemon's ProgramArguments). */
export function isDaemonProcess(argv: readonly string[] = process.argv): boolean {
  return argv.includes('--daemon');
}

export function runDaemonProcess(app: Pick<App, 'whenReady' | 'on' | 'quit' | 'exit'> & { dock?: { hide(): void } }, powerMonitor: Pick<PowerMonitor, 'on'>): void {
  app.dock?.hide();
  // ATWORK_* for development and tests off macOS; the LaunchDaemon sets only ATWORK_STATE_DIR, to the same place.
  const logger = createFileLogger({ file: process.env.ATWORK_LOG_FILE ?? DAEMON_LOG_FILE });
  app
    .whenReady()
    .then(async () => {
      const daemon = await startDaemon({
        stateDir: process.env.ATWORK_STATE_DIR ?? MAC_DAEMON_STATE_DIR,
        socketFolder: process.env.ATWORK_SOCKET_DIR ?? MAC_SOCKET_FOLDER,
        logger,
        // Off macOS there is no console user to let in: root only, as on a Mac at the login window.
        consoleUser: process.platform === 'darwin' ? new MacConsoleUser() : { currentUser: async () => null },
      });
      powerMonitor.on('resume', () => daemon.service.wakeScheduler());
      stopBeforeQuit(app, () => daemon.stop(), logger);
    })
    .catch((error: unknown) => {
      // launchd starts it again after its ThrottleInterval; the reason is in daemon.log.
      logger.error('the Atwork daemon could not start', { reason: messageOf(error) });
      app.exit(1);
    });
}
