// The set of Atwork's own windows: who may call the IPC handlers, and who hears status events.
import type { WebContents } from 'electron';
import type { EventName, EventPayload } from '../shared/agent-service-contract';
import { eventChannel } from '../preload/contract';

/** The part of an IPC event this check reads; Electron's IpcMainInvokeEvent has it. */
export interface IpcSenderEvent {
  sender: Pick<WebContents, 'id'>;
}

export class TrustedWindows {
  private readonly contents = new Map<number, WebContents>();

  /** Trusts a window's web contents until it is destroyed. */
  track(webContents: WebContents): void {
    this.contents.set(webContents.id, webContents);
    webContents.once('destroyed', () => this.contents.delete(webContents.id));
  }

  /** Whether an IPC message came from one of our windows (and not, say, a devtools extension or a stray frame's host). */
  isTrustedSender(event: IpcSenderEvent): boolean {
    return this.contents.has(event.sender.id);
  }

  /** Sends a contract event to every live window of ours, on the event's IPC channel. */
  broadcast<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const channel = eventChannel(event);
    for (const webContents of this.contents.values()) {
      if (!webContents.isDestroyed()) webContents.send(channel, payload);
    }
  }
}
