// Quitting waits for the agent to stop, so a run in progress is recorded rather than cut off mid-write: the one
// will-quit handler of the app and of the daemon.
import type { App } from 'electron';
import type { Logger } from '../agent/core/ports';
import { messageOf } from '../agent/core/error-message';

export function stopBeforeQuit(app: Pick<App, 'on' | 'quit'>, stop: () => Promise<void>, logger: Logger): void {
  let stopped = false;
  app.on('will-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    stop()
      .catch((error: unknown) => logger.error('the agent did not stop cleanly', { reason: messageOf(error) }))
      .finally(() => {
        stopped = true;
        app.quit();
      });
  });
}
