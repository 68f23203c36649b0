// The OpenAPI 3.1 document of /api/admin/v1, generated from the zod schemas the routes validate with, so it cannot drift from them.
import { z } from 'zod';
import { ApiErrorSchema } from '../../shared/protocol';
import { ADMIN_API_ROUTES } from './admin-api-catalog';
import type { AdminRouteSpec } from './admin-route';

type JsonSchema = Record<string, unknown> & { properties?: Record<string, unknown>; required?: string[] };

/** JSON Schema of what a client sends: defaults make a field optional, as the server reads it. */
function inputSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): unknown[] {
  if (schema === undefined) return [];
  const json = inputSchema(schema);
  const required = new Set(json.required ?? []);
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: property,
  }));
}

function operation(spec: AdminRouteSpec): Record<string, unknown> {
  const error = { description: 'An error a person can act on.', content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiError' } } } };
  return {
    operationId: spec.operation,
    summary: spec.summary,
    tags: [spec.operation.split('.')[0]],
    parameters: [...parameters(spec.params, 'path'), ...parameters(spec.query, 'query')],
    ...(spec.body === undefined
      ? {}
      : { requestBody: { required: true, content: { [spec.textBody ? 'text/plain' : 'application/json']: { schema: inputSchema(spec.body) } } } }),
    ...(spec.rawBody === undefined
      ? {}
      : { requestBody: { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary', maxLength: spec.rawBody.maxBytes } } } } }),
    responses: {
      [String(spec.successStatus ?? 200)]: { description: 'Success.', content: { 'application/json': { schema: { type: 'object' } } } },
      '400': error,
      '401': error,
      '403': error,
      '404': error,
      '409': error,
    },
  };
}

/** Builds the document for the API under `prefix`. */
export function adminOpenApiDocument(prefix: string, version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of ADMIN_API_ROUTES) {
    const path = `${prefix}${spec.path.replace(/:([A-Za-z]+)/g, '{$1}')}`;
    paths[path] = { ...paths[path], [spec.method.toLowerCase()]: operation(spec) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Atwork admin API',
      version,
      description: 'Administer the Atwork reference server. Tokens with the read-only scope may only GET; every change is in the audit trail.',
    },
    components: {
      securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: 'An admin API token (atw_...).' } },
      schemas: { ApiError: inputSchema(ApiErrorSchema) },
    },
    security: [{ adminToken: [] }],
    paths,
  };
}
