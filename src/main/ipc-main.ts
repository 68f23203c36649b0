// The one module that holds Electron's raw ipcMain (eslint.config.js bans it elsewhere): it serves the agent contract on it.
import { ipcMain } from 'electron';
import type { AgentServiceContract } from '../shared/agent-service-contract';
import { forwardEvents, registerHandlers } from './ipc-handlers';
import type { TrustedWindows } from './trusted-windows';

/** Answers every contract method for our windows only, and sends them every contract event. */
export function serveAgentOverIpc(service: AgentServiceContract, windows: TrustedWindows): void {
  registerHandlers(ipcMain, service, (event) => windows.isTrustedSender(event));
  forwardEvents(service, windows);
}
