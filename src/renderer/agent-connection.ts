// The AgentApi of this window, and the two calls every start makes, sent while the module graph is still loading.
// main.tsx imports this module before React, the router and the pages, so its top level runs first: the status and
// the catalog's first page travel to the agent while the rest of the bundle is evaluated, and the first render can
// already show their answers (docs/benchmarks.md, "Third round").
import type { AGENT_API_GLOBAL, AgentApi } from '../preload/contract';
import { createBridgeClient, readBridgeToken } from './bridge-client';
import { sendFirstCalls } from './shell/first-calls';

// Typed against the contract's constant, so renaming the global fails the build instead of the app.
const agentApiGlobal: typeof AGENT_API_GLOBAL = 'atwork';

/** The preload's AgentApi in Electron, else the browser bridge with the token from the URL fragment, else null. */
function findAgentApi(): AgentApi | null {
  const fromPreload = (window as Window & Partial<Record<typeof AGENT_API_GLOBAL, AgentApi>>)[agentApiGlobal];
  if (fromPreload) return fromPreload;
  const token = readBridgeToken(window.location.hash);
  return token === null ? null : createBridgeClient({ baseUrl: window.location.origin, token });
}

export const agentApi = findAgentApi();
export const firstCalls = agentApi === null ? null : sendFirstCalls(agentApi);
