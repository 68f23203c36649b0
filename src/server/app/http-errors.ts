// HTTP error bodies {error, message} for every failure, and the handlers that keep bad input from ever becoming a 5xx.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { installUtf8BodyParsers } from './utf8-body-parsers';

/** A failure with the HTTP status and error code the client sees. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** Sent with the answer, e.g. Retry-After on a 503. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const notFound = (message: string): HttpError => new HttpError(404, 'not_found', message);
export const unauthorized = (message: string): HttpError => new HttpError(401, 'unauthorized', message);
export const badRequest = (message: string): HttpError => new HttpError(400, 'bad_request', message);
export const conflict = (message: string): HttpError => new HttpError(409, 'conflict', message);

/** How the error handler turns a database fault into an answer: null when the error is not one. */
export interface DatabaseFaultHandling {
  answer(error: unknown): HttpError | null;
}

/** Parses external input with a zod schema; a failure is a 400 naming the first offending field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : what;
  throw badRequest(`Invalid ${field}: ${(issue?.message ?? 'the value is not accepted').replace(/\.$/, '')}.`);
}

const CLIENT_ERROR_CODES: Record<number, string> = {
  400: 'bad_request',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
};

function clientErrorMessage(error: FastifyError, statusCode: number): string {
  if (statusCode === 413) return 'The request body is larger than the server accepts.';
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) return 'The request body is not valid JSON.';
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 'The request body is empty but JSON was declared.';
  if (statusCode === 415) return 'The request body must be JSON (Content-Type: application/json).';
  return error.message;
}

/** Longest path parameter Fastify routes (its default `maxParamLength`); a longer one is a 414. */
const MAX_PARAM_CHARS = 100;

/**
 * Fastify's `frameworkErrors` option: a URL the router refuses before any route or hook (an over-long or badly
 * percent-encoded path segment) still gets an {error, message} body (issue 9).
 */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void reply.code(414).send({ error: 'uri_too_long', message: `A segment of the URL path is longer than ${MAX_PARAM_CHARS} characters; shorten it.` });
  } else if (error.code === 'FST_ERR_BAD_URL') {
    void reply.code(400).send({ error: 'bad_request', message: 'The URL path is not valid percent-encoding; encode each segment with encodeURIComponent.' });
  } else {
    void reply.code(500).send({ error: 'internal_error', message: 'The server failed to route the request; see its log.' });
  }
}

function pathPattern(url: string): RegExp {
  const segments = url.split('/').map((s) => (s.startsWith(':') ? '[^/]+' : s === '*' ? '.*' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${segments.join('/')}$`);
}

/** Records every route as it is registered; the returned function lists the methods some route answers on a path. */
function trackRouteMethods(app: FastifyInstance): (path: string) => string[] {
  const routes = new Map<string, { pattern: RegExp; methods: Set<string> }>();
  app.addHook('onRoute', (route) => {
    const entry = routes.get(route.url) ?? { pattern: pathPattern(route.url), methods: new Set<string>() };
    for (const method of [route.method].flat()) entry.methods.add(method.toUpperCase());
    // Fastify answers HEAD wherever it answers GET.
    if (entry.methods.has('GET')) entry.methods.add('HEAD');
    routes.set(route.url, entry);
  });
  return (path) => [...new Set([...routes.values()].filter((r) => r.pattern.test(path)).flatMap((r) => [...r.methods]))].sort();
}

/**
 * Installs the error and not-found handlers and the UTF-8 body parsers: every failure gets an {error, message} body;
 * a method a path does not answer is a 405 with Allow.
 */
export function installErrorHandlers(app: FastifyInstance, faults: DatabaseFaultHandling = { answer: () => null }): void {
  installUtf8BodyParsers(app);
  const methodsOf = trackRouteMethods(app);
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = methodsOf(path);
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      void reply
        .code(405)
        .header('allow', allowed.join(', '))
        .send({ error: 'method_not_allowed', message: `${path} does not answer ${request.method}; use ${allowed.join(', ')}.` });
      return;
    }
    void reply.code(404).send({ error: 'not_found', message: `There is no ${request.method} ${path} endpoint.` });
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpError) {
      return reply.code(error.statusCode).headers(error.headers).send({ error: error.code, message: error.message });
    }
    // A database that is down, full or read-only is not the request's fault, nor a bug: 503 or 507 with the reason.
    const fault = faults.answer(error);
    if (fault !== null) {
      request.log.warn({ err: error }, 'request failed on a database fault');
      return reply.code(fault.statusCode).headers(fault.headers).send({ error: fault.code, message: fault.message });
    }
    const statusCode = error.statusCode ?? 500;
    if (statusCode >= 400 && statusCode < 500) {
      return reply
        .code(statusCode)
        .send({ error: CLIENT_ERROR_CODES[statusCode] ?? 'client_error', message: clientErrorMessage(error, statusCode) });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: 'internal_error', message: 'The server failed to handle the request; see its log.' });
  });
}
