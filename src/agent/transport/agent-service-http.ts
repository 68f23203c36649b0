// Serves the agent service contract over HTTP + server-sent events: what the browser bridge and the daemon's socket share.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { AGENT_EVENTS, EVENT_NAMES, ServiceError } from '../../shared/agent-service-contract';
import type { AgentServiceContract, EventName } from '../../shared/agent-service-contract';
import { callChecked, ContractArgumentsError, subscribeTo } from '../../shared/agent-service-dispatch';
import { EVENTS_PATH, MAX_ARGS_BYTES, methodForRoute, SERVICE_ERROR_STATUS, SERVICE_PATH_PREFIX, sseEventName } from '../../shared/agent-service-http';

/** Keeps idle event streams alive through proxies and lets a dead client be noticed. */
export const SSE_HEARTBEAT_MS = 15_000;

/** Open event streams one server keeps at most: each holds a subscription on the service, so their number is capped. */
export const DEFAULT_MAX_STREAMS = 32;

// Sent with every response: nothing here may be framed, sniffed, cached or leak a referrer.
export const COMMON_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
};

export interface AgentServiceRoutes {
  /** Answers one request for a service route; the transport has already decided the caller may use the service. */
  handle(pathname: string, request: IncomingMessage, response: ServerResponse): Promise<void>;
  /** Ends every open event stream, so the server can close. */
  endStreams(): void;
}

/** The routes of every contract method (shared/agent-service-http.ts) and the one event stream, at most maxStreams open at once. */
export function agentServiceRoutes(service: AgentServiceContract, { maxStreams = DEFAULT_MAX_STREAMS } = {}): AgentServiceRoutes {
  const streams = new Set<ServerResponse>();

  async function handle(pathname: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? '';
    if (method === 'GET' && pathname === EVENTS_PATH) {
      if (streams.size >= maxStreams) sendJson(response, 503, { error: `Refused the event stream: ${maxStreams} are open already; close one first.` });
      else await openEventStream(response);
      return;
    }
    const name = methodForRoute(method, pathname);
    if (name === null) {
      sendJson(response, 404, { error: `No bridge endpoint ${method} ${pathname}.` });
      return;
    }
    const body: ReadArgs = method === 'POST' ? await readArgs(request) : { ok: true, args: [] };
    if (!body.ok) {
      sendJson(response, body.status, { error: body.error });
      return;
    }
    try {
      sendJson(response, 200, await callChecked(service, name, body.args));
    } catch (error) {
      if (error instanceof ServiceError) sendJson(response, SERVICE_ERROR_STATUS[error.code], { error: { code: error.code, message: error.message } });
      else if (error instanceof ContractArgumentsError) sendJson(response, 400, { error: error.message });
      else throw error;
    }
  }

  async function openEventStream(response: ServerResponse): Promise<void> {
    response.writeHead(200, {
      ...COMMON_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      Connection: 'keep-alive',
    });
    const send = (event: EventName, payload: unknown): void => {
      if (response.destroyed || response.writableEnded) return;
      response.write(`event: ${sseEventName(event)}\ndata: ${JSON.stringify(payload)}\n\n`);
    };
    const unsubscribes = EVENT_NAMES.map((event) => subscribeTo(service, event, (payload) => send(event, payload)));
    const heartbeat = setInterval(() => response.write(': keep-alive\n\n'), SSE_HEARTBEAT_MS);
    streams.add(response);
    response.on('close', () => {
      clearInterval(heartbeat);
      for (const unsubscribe of unsubscribes) unsubscribe();
      streams.delete(response);
    });
    // The current values first, so a client that connects between changes is not left stale.
    for (const event of EVENT_NAMES) {
      const current = AGENT_EVENTS[event].current;
      if (current !== undefined) send(event, await callChecked(service, current, []));
    }
  }

  return {
    handle,
    endStreams: () => {
      for (const stream of streams) stream.end();
    },
  };
}

type ReadArgs = { ok: true; args: unknown } | { ok: false; status: 400 | 413; error: string };

/** The JSON array of arguments a POST carries; an empty body is no arguments. */
async function readArgs(request: IncomingMessage): Promise<ReadArgs> {
  const text = await readBody(request);
  if (text === null) return { ok: false, status: 413, error: `The arguments are larger than ${MAX_ARGS_BYTES} bytes.` };
  if (text.trim() === '') return { ok: true, args: [] };
  try {
    return { ok: true, args: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, status: 400, error: 'The arguments are not JSON; send them as a JSON array.' };
  }
}

/**
 * The body as text, or null when it is larger than MAX_ARGS_BYTES.
 *
 * An oversized body is read to its end and dropped, so the caller gets the 413 rather than a reset connection.
 */
function readBody(request: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_ARGS_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_ARGS_BYTES ? null : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Whether a path is one of the service's routes (the browser bridge also serves static files beside them). */
export function isServicePath(pathname: string): boolean {
  return pathname === SERVICE_PATH_PREFIX || pathname.startsWith(`${SERVICE_PATH_PREFIX}/`);
}

/** The token of an `Authorization: Bearer <token>` header, or null for none, another scheme or a malformed token. */
export function bearerTokenOf(header: string | undefined): string | null {
  return /^Bearer ([A-Za-z0-9_-]+)$/.exec(header ?? '')?.[1] ?? null;
}

/** A token's sha256: comparing fixed-length digests keeps timingSafeEqual constant-time whatever length was sent. */
export function tokenDigest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** Whether a sent token is the one whose digest the server keeps, compared in constant time. */
export function tokenMatches(sent: string, digest: Buffer): boolean {
  return timingSafeEqual(tokenDigest(sent), digest);
}

/** Answers 401 with the transport's one-sentence reason, before anything of the request is parsed. */
export function refuseToken(response: ServerResponse, reason: string): void {
  response.setHeader('WWW-Authenticate', 'Bearer');
  sendJson(response, 401, { error: reason });
}

/**
 * An HTTP server that answers each request with handle; a handle that throws is answered 500 with the reason, or the
 * response is dropped when it had begun (a stream).
 */
export function createServiceServer(handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>): Server {
  return createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (response.headersSent) {
        response.destroy();
        return;
      }
      sendJson(response, 500, { error: `The agent service failed: ${message}` });
    });
  });
}

/** Closes a service server: ends its event streams, drops kept-alive connections, resolves once it no longer listens. */
export async function closeServiceServer(server: Server, routes: AgentServiceRoutes): Promise<void> {
  routes.endStreams();
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}

export function sendJson(response: ServerResponse, statusCode: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(statusCode, {
    ...COMMON_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
}
