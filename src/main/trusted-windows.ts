// The set of Atwork's own windows: who may call the IPC handlers, and who hears status events.
import type { WebContents } from 'electron';
import type { EventChannels } from '../preload/contract';

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

  /** Sends an event to every live window of ours. */
  broadcast<C extends keyof EventChannels>(channel: C, payload: EventChannels[C]): void {
    for (const webContents of this.contents.values()) {
      if (!webContents.isDestroyed()) webContents.send(channel, payload);
    }
  }
}
