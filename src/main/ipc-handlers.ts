// IPC handlers generated from the agent service contract: sender check, then the checked call; events to our windows.
import { EVENT_NAMES, METHOD_NAMES } from '../shared/agent-service-contract';
import type { AgentServiceContract } from '../shared/agent-service-contract';
import { callChecked, subscribeTo } from '../shared/agent-service-dispatch';
import { requestChannel } from '../preload/contract';
import type { IpcSenderEvent } from './ipc-sender';
import type { TrustedWindows } from './trusted-windows';

/** The part of Electron's ipcMain the handlers use; ipcMain itself fits, and so does a small test fake. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcSenderEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/**
 * Registers a handler per contract method; returns a function that removes them.
 *
 * Every handler first asks isTrustedSender (ipc-sender.ts): a sender that is not our page gets an error and the service
 * is not called.
 * Then the arguments must be what the method takes, and the answer what it promises (agent-service-dispatch.ts).
 */
export function registerHandlers(
  ipcMain: IpcMainLike,
  service: AgentServiceContract,
  isTrustedSender: (event: IpcSenderEvent) => boolean,
): () => void {
  for (const method of METHOD_NAMES) {
    const channel = requestChannel(method);
    ipcMain.handle(channel, (event, ...args) => {
      if (!isTrustedSender(event)) throw new Error(`Refused ${channel}: the sender is not the app's page in an Atwork window.`);
      return callChecked(service, method, args);
    });
  }
  return () => {
    for (const method of METHOD_NAMES) ipcMain.removeHandler(requestChannel(method));
  };
}

/** Forwards every event of the service to our windows; returns the function that stops all of them. */
export function forwardEvents(service: AgentServiceContract, windows: Pick<TrustedWindows, 'broadcast'>): () => void {
  const stops = EVENT_NAMES.map((event) => subscribeTo(service, event, (payload) => windows.broadcast(event, payload)));
  return () => {
    for (const stop of stops) stop();
  };
}
