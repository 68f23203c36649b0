// The agent service contract over HTTP + server-sent events: routes and event framing shared by servers and clients.
// The names only, without the schemas: the UI's bridge client routes its calls with this file (agent-service-names.ts).
import { kebabCase, METHOD_KINDS, METHOD_NAMES } from './agent-service-names';
import type { EventName, MethodName, ServiceErrorCode } from './agent-service-names';

/** Where the service's routes live, beside the static files of the browser bridge. */
export const SERVICE_PATH_PREFIX = '/bridge';

/** One stream carries every event of the contract, each frame named by kebab-case event name. */
export const EVENTS_PATH = `${SERVICE_PATH_PREFIX}/events`;

/** Largest request body a query or change method accepts: its arguments are a few short strings and a review's text. */
export const MAX_ARGS_BYTES = 64 * 1024;

export interface ServiceRoute {
  method: 'GET' | 'POST';
  path: string;
}

/**
 * The HTTP route of a method: a read is `GET /bridge/<name without "get">`, a query is `POST` on that same kind of
 * path, a change is `POST /bridge/<name>`; a query's or a change's arguments are a JSON array body (none for a method
 * without arguments).
 */
export function routeOf(name: MethodName): ServiceRoute {
  const kind = METHOD_KINDS[name];
  const path = `${SERVICE_PATH_PREFIX}/${kind === 'change' ? kebabCase(name) : kebabCase(name).replace(/^get-/, '')}`;
  return { method: kind === 'read' ? 'GET' : 'POST', path };
}

/** The HTTP status a ServiceError is answered with: the caller's or the device's state, never the transport's own 401/403. */
export const SERVICE_ERROR_STATUS: Record<ServiceErrorCode, number> = {
  wrong_pin: 422,
  pin_locked: 423,
  rate_limited: 429,
  server_unreachable: 424,
  not_atwork_server: 424,
  already_enrolled: 409,
  not_enrolled: 409,
  not_found: 404,
  invalid_input: 400,
  install_failed: 422,
  retired: 410,
  unknown: 400,
};

/** The method a request names, or null: a route with the wrong HTTP method is no route. */
export function methodForRoute(method: string, path: string): MethodName | null {
  return METHOD_NAMES.find((name) => routeOf(name).method === method && routeOf(name).path === path) ?? null;
}

/** The SSE `event:` name of a contract event: statusChanged -> status-changed. */
export function sseEventName(event: EventName): string {
  return kebabCase(event);
}
