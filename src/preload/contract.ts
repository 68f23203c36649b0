// The IPC contract between renderer and main: channel names (`domain:verb`) and the AgentApi the renderer sees.
import type { AgentServiceApi, AgentStatus } from '../shared/agent-status';

export type { AgentStatus, RunSummary } from '../shared/agent-status';

/** Channels whose main-process handler returns a Promise (ipcMain.handle / ipcRenderer.invoke). */
export interface RequestChannels {
  'agent:get-status': { args: []; result: AgentStatus };
  'agent:check-in-now': { args: []; result: AgentStatus };
}

/** Fire-and-forget channels from main to renderer. */
export interface EventChannels {
  'agent:status-changed': AgentStatus;
}

export const REQUEST_CHANNELS = ['agent:get-status', 'agent:check-in-now'] as const satisfies readonly (keyof RequestChannels)[];
export const EVENT_CHANNELS = ['agent:status-changed'] as const satisfies readonly (keyof EventChannels)[];

/** The one object the preload exposes as `window.atwork`, and the browser bridge client implements. */
export type AgentApi = AgentServiceApi;

export const AGENT_API_GLOBAL = 'atwork';
