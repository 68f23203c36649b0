// How long a client may hold the server, how many may, and a shutdown that drains in-flight requests within a deadline.
import type { FastifyInstance, FastifyServerOptions } from 'fastify';

export interface ConnectionLimits {
  /** Whole request, headers and body, must arrive within this (a trickled body is cut at it). */
  requestTimeoutMs: number;
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
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionTimeout: limits.idleSocketTimeoutMs,
    // Our own drain answers 503 in the project's format; Fastify's would not.
    return503OnClosing: false,
    // Node requires headers to be due no later than the whole request.
    http: { connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS, headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) },
  } as Partial<FastifyServerOptions>;
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
