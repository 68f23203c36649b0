// The set of Atwork's own windows: who may call the IPC handlers, and who hears the agent's events.
import type { WebContents } from 'electron';
import type { EventName, EventPayload } from '../shared/agent-service-contract';
import { eventChannel } from '../preload/contract';
import { isAppUrl } from './app-origin';
import { isTrustedSender } from './ipc-sender';
import type { IpcSenderEvent } from './ipc-sender';

export class TrustedWindows {
  private readonly contents = new Map<number, WebContents>();

  /** Trusts a window's web contents until it is destroyed. */
  track(webContents: WebContents): void {
    this.contents.set(webContents.id, webContents);
    webContents.once('destroyed', () => this.contents.delete(webContents.id));
  }

  /** Whether an IPC message came from the app's page in the main frame of one of our windows (ipc-sender.ts). */
  isTrustedSender(event: IpcSenderEvent): boolean {
    return isTrustedSender(event, (id) => this.contents.get(id));
  }

  /** Sends a contract event to every live window of ours that shows the app, on the event's IPC channel. */
  broadcast<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const channel = eventChannel(event);
    for (const webContents of this.contents.values()) {
      if (!webContents.isDestroyed() && isAppUrl(webContents.mainFrame.url)) webContents.send(channel, payload);
    }
  }
}
