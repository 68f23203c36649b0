// One admin API route as data: method, path and the zod schemas it validates with, so the OpenAPI document and the CLI come from the same source.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql, type RawBuilder } from 'kysely';
import { z } from 'zod';
import { QueryInt } from '../../shared/input-bounds';
import { badRequest } from '../app/http-errors';
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
  request: FastifyRequest;
  reply: FastifyReply;
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
  app.route({
    method: spec.method,
    url: spec.path,
    ...(spec.bodyLimit === undefined ? {} : { bodyLimit: spec.bodyLimit }),
    handler: async (request, reply) => {
      if ([request.params, request.query, request.body].some(containsNul)) {
        throw badRequest('Text in the request may not contain NUL characters.');
      }
      const { params, query, body } = parse(request);
      const result = await handler({ params, query, body, request, reply } as AdminRouteInput<P, Q, B>);
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
