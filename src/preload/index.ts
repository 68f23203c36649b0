// The preload: exposes exactly the AgentApi as window.atwork, one function per contract method and event, never ipcRenderer itself.
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { EVENT_NAMES, eventProperty, METHOD_NAMES } from '../shared/agent-service-contract';
import { AGENT_API_GLOBAL, eventChannel, requestChannel } from './contract';

/** Subscribes to one event channel; the returned function removes exactly this listener. */
function subscribe(channel: string, listener: (payload: unknown) => void): () => void {
  // The IPC event carries `sender` (the ipcRenderer); only the payload may cross into the page.
  const forward = (_event: IpcRendererEvent, payload: unknown): void => listener(payload);
  ipcRenderer.on(channel, forward);
  return () => {
    ipcRenderer.removeListener(channel, forward);
  };
}

// Built from the contract's tables, so the exposed object has exactly the AgentApi's members (tests/main/preload.test.ts).
const api: Record<string, unknown> = {};
for (const method of METHOD_NAMES) {
  const channel = requestChannel(method);
  // Arguments go as they are: main validates them against the contract before the service sees them.
  api[method] = (...args: unknown[]) => ipcRenderer.invoke(channel, ...args);
}
for (const event of EVENT_NAMES) {
  const channel = eventChannel(event);
  api[eventProperty(event)] = (listener: (payload: unknown) => void) => subscribe(channel, listener);
}

contextBridge.exposeInMainWorld(AGENT_API_GLOBAL, api);
