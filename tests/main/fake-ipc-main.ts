// A stand-in for Electron's ipcMain: records handlers the way ipcMain.handle does, so a test can invoke them as Electron would.
import type { IpcMainLike } from '../../src/main/ipc-handlers';
import type { IpcSenderEvent } from '../../src/main/ipc-sender';
import type { FakeWebContents } from './fake-web-contents';

type Handler = Parameters<IpcMainLike['handle']>[1];

export class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Handler>();

  handle(channel: string, listener: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  invoke(channel: string, event: IpcSenderEvent, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) return Promise.reject(new Error(`No handler registered for '${channel}'`));
    return Promise.resolve().then(() => handler(event, ...args));
  }
}

/** The event of a message from the main frame of contents, as Electron makes it. */
export function fromMainFrame(contents: FakeWebContents): IpcSenderEvent {
  return { sender: contents, senderFrame: contents.mainFrame };
}
