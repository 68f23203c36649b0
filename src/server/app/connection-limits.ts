// How long a client may hold the server, how many may, and a shutdown that drains in-flight requests within a deadline.
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route takes a streamed upload: its request may take uploadTimeoutMs rather than requestTimeoutMs. */
    upload?: boolean;
  }
}

export interface ConnectionLimits {
  /** Whole request, headers and body, must arrive within this (a trickled body is cut at it with a 408). */
  requestTimeoutMs: number;
  /** The same for an upload route (a package of up to 2 GiB): a stalled one is still cut at idleSocketTimeoutMs. */
  uploadTimeoutMs: number;
  /** Request headers must arrive within this. */
  headersTimeoutMs: number;
  /** An idle kept-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** A socket with no traffic at all is closed after this. */
  idleSocketTimeoutMs: number;
  /** Open connections at once; more are refused at accept, so file handles stay for the database and the log. */
  maxConnections: number;
  /** On shutdown, in-flight requests get this long to finish before their connections are closed. */
  drainDeadlineMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  requestTimeoutMs: 30_000,
  // 2 GiB in an hour is about 5 Mbit/s: an administrator's upload over a slow office line still arrives.
  uploadTimeoutMs: 3_600_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 10_000,
  idleSocketTimeoutMs: 60_000,
  maxConnections: 4096,
  drainDeadlineMs: 10_000,
};

/** Node checks request and header timeouts on this interval (30 s by default, which would let a slow client keep 30 s more). */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

/** The Fastify constructor options that carry the limits. */
export function connectionServerOptions(limits: ConnectionLimits): Partial<FastifyServerOptions> {
  return {
    // Node's timeout is server-wide, so it is the upload's; every other route is cut at requestTimeoutMs by a hook.
    requestTimeout: Math.max(limits.requestTimeoutMs, limits.uploadTimeoutMs),
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionTimeout: limits.idleSocketTimeoutMs,
    // Our own drain answers 503 in the project's format; Fastify's would not.
    return503OnClosing: false,
    // Node requires headers to be due no later than the whole request.
    http: { connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS, headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) },
  } as Partial<FastifyServerOptions>;
}

/** What Node answers a request that missed its timeout, written the same way for the routes our hook times. */
const REQUEST_TIMEOUT_ANSWER = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

/** Closes the connection with a 408 when the request's body has not all arrived `timeoutMs` after its headers. */
function cutAtDeadline(request: FastifyRequest, reply: FastifyReply, timeoutMs: number): void {
  if (request.raw.complete) return;
  const timer = setTimeout(() => {
    if (request.raw.complete || reply.raw.headersSent) return;
    const { socket } = request.raw;
    if (socket.writable) socket.end(REQUEST_TIMEOUT_ANSWER);
    socket.destroySoon();
  }, timeoutMs);
  timer.unref();
  const clear = () => clearTimeout(timer);
  request.raw.once('end', clear);
  reply.raw.once('finish', clear);
  reply.raw.once('close', clear);
}

/**
 * Applies the connection cap, closes connections whose request was refused before its body was read, and makes
 * `app.close()` drain: new requests get 503, in-flight ones finish (up to the deadline), then every connection closes.
 */
export function installConnectionLimits(app: FastifyInstance, limits: ConnectionLimits): { readonly draining: boolean } {
  const state = { draining: false };
  let inFlight = 0;
  let idle: (() => void) | null = null;
  app.server.maxConnections = limits.maxConnections;

  app.addHook('onRequest', async (request, reply) => {
    if (state.draining) {
      reply.header('connection', 'close').header('retry-after', '1');
      return reply.code(503).send({ error: 'shutting_down', message: 'The server is shutting down; try again in a moment, another replica may answer.' });
    }
    inFlight++;
    let counted = true;
    const done = () => {
      if (!counted) return;
      counted = false;
      inFlight--;
      if (inFlight === 0) idle?.();
    };
    reply.raw.once('finish', done);
    reply.raw.once('close', done);
    if (request.routeOptions.config.upload !== true) cutAtDeadline(request, reply, limits.requestTimeoutMs);
    return undefined;
  });

  // An answer sent before the body was read (401 on an unauthenticated upload, 413, 429): close the connection rather
  // than let the client go on trickling the body into it.
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.raw.complete === false) reply.header('connection', 'close');
    return payload;
  });

  app.addHook('preClose', async () => {
    state.draining = true;
    if (inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, limits.drainDeadlineMs);
        idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    app.server.closeAllConnections();
  });
  return state;
}
