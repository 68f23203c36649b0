// One admin API route as data: method, path and the zod schemas it validates with, so the OpenAPI document and the CLI come from the same source.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql, type RawBuilder } from 'kysely';
import { z } from 'zod';
import { QueryInt } from '../../shared/input-bounds';
import { badRequest, HttpError } from '../app/http-errors';
import { routeInputParser, type RouteInputSchemas } from '../app/route-input';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a route accepts. `operation` reads `resource.verb` and names the CLI command `admin <resource> <verb>`. */
export interface AdminRouteSpec<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> extends RouteInputSchemas {
  method: Method;
  /** Fastify path below /api/admin/v1, parameters as `:name`. */
  path: string;
  operation: string;
  summary: string;
  params?: P;
  query?: Q;
  body?: B;
  successStatus?: 200 | 201;
  bodyLimit?: number;
  /**
   * The body is raw bytes (Content-Type: application/octet-stream) handed to the handler as a stream, unread and
   * never held whole; more than `maxBytes` is a 413 (an upload larger than the JSON body limit).
   */
  rawBody?: { maxBytes: number };
}

/** Identity with inference: keeps each spec's schema types for its handler. */
export function defineAdminRoute<P extends z.ZodType = z.ZodNever, Q extends z.ZodType = z.ZodNever, B extends z.ZodType = z.ZodNever>(
  spec: AdminRouteSpec<P, Q, B>,
): AdminRouteSpec<P, Q, B> {
  return spec;
}

export interface AdminRouteInput<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  params: z.infer<P>;
  query: z.infer<Q>;
  body: z.infer<B>;
  /** The streamed body of a `rawBody` route, cut at its maxBytes with a 413; empty on every other route. */
  rawBody: AsyncIterable<Buffer>;
  request: FastifyRequest;
  reply: FastifyReply;
}

const RAW_CONTENT_TYPE = 'application/octet-stream';

const tooLarge = (maxBytes: number) => new HttpError(413, 'payload_too_large', `The request body is larger than the ${maxBytes} bytes this endpoint accepts.`);

/** The request body as it arrives, counted: past the route's cap the stream is destroyed and the answer is a 413. */
async function* limitedBody(stream: Readable, maxBytes: number): AsyncGenerator<Buffer> {
  let received = 0;
  for await (const chunk of stream) {
    received += (chunk as Buffer).length;
    if (received > maxBytes) {
      stream.destroy();
      throw tooLarge(maxBytes);
    }
    yield chunk as Buffer;
  }
}

/** The raw body of a request to a `rawBody` route, or the 415 of one that sent something else. */
function rawBodyOf(request: FastifyRequest, maxBytes: number): AsyncIterable<Buffer> {
  if (!(request.body instanceof Readable)) throw new HttpError(415, 'unsupported_media_type', `This endpoint takes the file's bytes as the body; send Content-Type: ${RAW_CONTENT_TYPE}.`);
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  return limitedBody(request.body, maxBytes);
}

/** Whether any string in a parsed request part holds U+0000, which PostgreSQL cannot store in text and SQLite would. */
function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(containsNul);
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([k, v]) => k.includes('\u0000') || containsNul(v));
  return false;
}

/** Registers a route that validates params, query and body with its spec's schemas before the handler runs. */
export function addAdminRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  app: FastifyInstance,
  spec: AdminRouteSpec<P, Q, B>,
  handler: (input: AdminRouteInput<P, Q, B>) => Promise<unknown>,
): void {
  const parse = routeInputParser(spec);
  // Passes the body on unread; only rawBody routes take it, every other route refuses it below with a 415.
  if (spec.rawBody !== undefined && !app.hasContentTypeParser(RAW_CONTENT_TYPE)) {
    app.addContentTypeParser(RAW_CONTENT_TYPE, (_request, payload, done) => done(null, payload));
  }
  app.route({
    method: spec.method,
    url: spec.path,
    ...(spec.bodyLimit === undefined ? {} : { bodyLimit: spec.bodyLimit }),
    config: { upload: spec.rawBody !== undefined },
    handler: async (request, reply) => {
      if (spec.rawBody === undefined && request.body instanceof Readable) {
        throw new HttpError(415, 'unsupported_media_type', 'The request body must be JSON (Content-Type: application/json).');
      }
      if ([request.params, request.query, spec.rawBody === undefined ? request.body : undefined].some(containsNul)) {
        throw badRequest('Text in the request may not contain NUL characters.');
      }
      const { params, query, body } = parse(request);
      const rawBody = spec.rawBody === undefined ? [] : rawBodyOf(request, spec.rawBody.maxBytes);
      const result = await handler({ params, query, body, rawBody, request, reply } as AdminRouteInput<P, Q, B>);
      return reply.code(spec.successStatus ?? 200).send(result);
    },
  });
}

export const IdParamsSchema = z.object({ id: z.string().min(1) });

/** Every list takes `limit` and `offset`; the answer says how many match in all. */
export const PageQuerySchema = z.object({
  limit: QueryInt(1, 1000).default(100),
  offset: QueryInt(0, 100_000_000).default(0),
});

/** A term with LIKE's wildcards escaped (escape character `\`), to match literally. */
export function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export const SearchTermSchema = z.string().trim().min(1).max(200);

/** `lower(column) LIKE %term%`, the same on SQLite and PostgreSQL (whose LIKE is case-sensitive). */
export function containsIgnoringCase(column: string, term: string): RawBuilder<boolean> {
  return sql<boolean>`lower(${sql.ref(column)}) like ${`%${escapeLike(term.toLowerCase())}%`} escape '\\'`;
}
