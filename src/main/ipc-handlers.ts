// Typed IPC handlers for the contract's request channels: sender check, argument check, then the agent service.
import { z } from 'zod';
import { REQUEST_CHANNELS } from '../preload/contract';
import type { RequestChannels } from '../preload/contract';
import type { AgentServiceApi } from '../shared/agent-status';
import type { IpcSenderEvent, TrustedWindows } from './trusted-windows';

/** The part of Electron's ipcMain the handlers use; ipcMain itself fits, and so does a small test fake. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcSenderEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

type RequestHandlers = {
  [C in keyof RequestChannels]: (...args: RequestChannels[C]['args']) => Promise<RequestChannels[C]['result']>;
};

// What the renderer may send with each request; anything else is refused before the service sees it.
const ARGUMENTS: { [C in keyof RequestChannels]: z.ZodType<RequestChannels[C]['args']> } = {
  'agent:get-status': z.tuple([]),
  'agent:check-in-now': z.tuple([]),
};

/**
 * Registers a handler per request channel; returns a function that removes them.
 *
 * Every handler first asks isTrustedSender: a window that is not ours gets an error and the service is not called.
 */
export function registerHandlers(
  ipcMain: IpcMainLike,
  service: AgentServiceApi,
  isTrustedSender: (event: IpcSenderEvent) => boolean,
): () => void {
  const handlers: RequestHandlers = {
    'agent:get-status': () => service.getStatus(),
    'agent:check-in-now': () => service.checkInNow(),
  };
  for (const channel of REQUEST_CHANNELS) {
    ipcMain.handle(channel, (event, ...args) => {
      if (!isTrustedSender(event)) throw new Error(`Refused ${channel} from a window that is not an Atwork window.`);
      const parsed = ARGUMENTS[channel].safeParse(args);
      if (!parsed.success) throw new Error(`Refused ${channel}: its arguments are not what the channel takes.`);
      return handlers[channel](...parsed.data);
    });
  }
  return () => {
    for (const channel of REQUEST_CHANNELS) ipcMain.removeHandler(channel);
  };
}

/** Forwards every agent status change to our windows; returns the unsubscribe function. */
export function forwardStatusChanges(service: AgentServiceApi, windows: Pick<TrustedWindows, 'broadcast'>): () => void {
  return service.onStatusChanged((status) => windows.broadcast('agent:status-changed', status));
}
