// Parsing a route's params, query and body with the zod schemas its spec names, shared by the admin and device route tables.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { badRequest, parseInput } from './http-errors';

/** The schemas a route spec validates its input with; an absent one means the route takes no such input. */
export interface RouteInputSchemas {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** The body is plain text (a script upload) rather than JSON. */
  textBody?: boolean;
}

export interface ParsedRouteInput {
  params: unknown;
  query: unknown;
  body: unknown;
}

/** The query parameters a route's schema names: any other is refused, so a typo never silently lists everything (issue 9). */
function queryNames(schema: z.ZodType | undefined): string[] {
  if (schema === undefined) return [];
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, unknown> };
  return Object.keys(json.properties ?? {});
}

function checkQueryNames(query: unknown, known: string[]): void {
  const unknown = Object.keys(query ?? {}).filter((name) => !known.includes(name));
  if (unknown.length === 0) return;
  const takes = known.length === 0 ? 'takes no query parameters' : `takes only ${known.join(', ')}`;
  throw badRequest(`Unknown query parameter${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: this endpoint ${takes}.`);
}

/** A parser of one route's input, built once at registration: each failure is a 400 naming the offending field. */
export function routeInputParser(spec: RouteInputSchemas): (request: FastifyRequest) => ParsedRouteInput {
  const knownQuery = queryNames(spec.query);
  return (request) => {
    checkQueryNames(request.query, knownQuery);
    return {
      params: spec.params ? parseInput(spec.params, request.params, 'path') : undefined,
      query: spec.query ? parseInput(spec.query, request.query ?? {}, 'query') : undefined,
      body: spec.body ? parseInput(spec.body, request.body === undefined && !spec.textBody ? {} : request.body, 'body') : undefined,
    };
  };
}
