// The preload: exposes exactly the AgentApi as window.atwork over the typed channels of contract.ts, never ipcRenderer itself.
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { AGENT_API_GLOBAL } from './contract';
import type { AgentApi, EventChannels, RequestChannels } from './contract';

function invoke<C extends keyof RequestChannels>(channel: C, ...args: RequestChannels[C]['args']): Promise<RequestChannels[C]['result']> {
  return ipcRenderer.invoke(channel, ...args) as Promise<RequestChannels[C]['result']>;
}

/** Subscribes to one event channel; the returned function removes exactly this listener. */
function subscribe<C extends keyof EventChannels>(channel: C, listener: (payload: EventChannels[C]) => void): () => void {
  // The IPC event carries `sender` (the ipcRenderer); only the payload may cross into the page.
  const forward = (_event: IpcRendererEvent, payload: EventChannels[C]): void => listener(payload);
  ipcRenderer.on(channel, forward);
  return () => {
    ipcRenderer.removeListener(channel, forward);
  };
}

const api: AgentApi = {
  getStatus: () => invoke('agent:get-status'),
  checkInNow: () => invoke('agent:check-in-now'),
  onStatusChanged: (listener) => subscribe('agent:status-changed', listener),
};

contextBridge.exposeInMainWorld(AGENT_API_GLOBAL, api);
