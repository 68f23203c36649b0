// The IPC binding of the agent service contract: one `agent:verb` channel per method and event, and the AgentApi the renderer sees.
import { kebabCase, METHOD_NAMES } from '../shared/agent-service-contract';
import type { AgentServiceContract, EventName, MethodName } from '../shared/agent-service-contract';

export type { AgentStatus, RunSummary } from '../shared/agent-status';

/** The invoke channel of a method: checkInNow -> agent:check-in-now. */
export function requestChannel(method: MethodName): string {
  return `agent:${kebabCase(method)}`;
}

/** The channel main sends an event on: statusChanged -> agent:status-changed. */
export function eventChannel(event: EventName): string {
  return `agent:${kebabCase(event)}`;
}

/** Channels whose main-process handler returns a Promise (ipcMain.handle / ipcRenderer.invoke). */
export const REQUEST_CHANNELS: readonly string[] = METHOD_NAMES.map(requestChannel);

/** The one object the preload exposes as `window.atwork`, and the browser bridge client implements. */
export type AgentApi = AgentServiceContract;

export const AGENT_API_GLOBAL = 'atwork';
