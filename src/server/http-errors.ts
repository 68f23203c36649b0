// HTTP error bodies {error, message} for every failure, and the handlers that keep bad input from ever becoming a 5xx.
import type { FastifyError, FastifyInstance } from 'fastify';
import type { z } from 'zod';

/** A failure with the HTTP status and error code the client sees. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (message: string): HttpError => new HttpError(404, 'not_found', message);
export const unauthorized = (message: string): HttpError => new HttpError(401, 'unauthorized', message);
export const badRequest = (message: string): HttpError => new HttpError(400, 'bad_request', message);
export const conflict = (message: string): HttpError => new HttpError(409, 'conflict', message);

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
  415: 'unsupported_media_type',
};

function clientErrorMessage(error: FastifyError, statusCode: number): string {
  if (statusCode === 413) return 'The request body is larger than the server accepts.';
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) return 'The request body is not valid JSON.';
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 'The request body is empty but JSON was declared.';
  if (statusCode === 415) return 'The request body must be JSON (Content-Type: application/json).';
  return error.message;
}

/** Installs the error and not-found handlers: every failure gets an {error, message} body. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: 'not_found', message: `There is no ${request.method} ${request.url.split('?')[0]} endpoint.` });
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HttpError) {
      return reply.code(error.statusCode).send({ error: error.code, message: error.message });
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
