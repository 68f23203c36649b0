// The agent service contract over HTTP + server-sent events: routes and event framing shared by servers and clients.
import { AGENT_METHODS, kebabCase, METHOD_NAMES } from './agent-service-contract';
import type { EventName, MethodName } from './agent-service-contract';

/** Where the service's routes live, beside the static files of the browser bridge. */
export const SERVICE_PATH_PREFIX = '/bridge';

/** One stream carries every event of the contract, each frame named by kebab-case event name. */
export const EVENTS_PATH = `${SERVICE_PATH_PREFIX}/events`;

/** Largest request body a change method accepts: its arguments are a few short strings. */
export const MAX_ARGS_BYTES = 64 * 1024;

export interface ServiceRoute {
  method: 'GET' | 'POST';
  path: string;
}

/**
 * The HTTP route of a method: a read is `GET /bridge/<name without "get">`, a change is `POST /bridge/<name>` with
 * its arguments as a JSON array body (none for a method without arguments).
 */
export function routeOf(name: MethodName): ServiceRoute {
  if (AGENT_METHODS[name].kind === 'read') return { method: 'GET', path: `${SERVICE_PATH_PREFIX}/${kebabCase(name).replace(/^get-/, '')}` };
  return { method: 'POST', path: `${SERVICE_PATH_PREFIX}/${kebabCase(name)}` };
}

/** The method a request names, or null: a route with the wrong HTTP method is no route. */
export function methodForRoute(method: string, path: string): MethodName | null {
  return METHOD_NAMES.find((name) => routeOf(name).method === method && routeOf(name).path === path) ?? null;
}

/** The SSE `event:` name of a contract event: statusChanged -> status-changed. */
export function sseEventName(event: EventName): string {
  return kebabCase(event);
}
