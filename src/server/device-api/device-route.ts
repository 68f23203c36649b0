// One device API route as data: method, path, zod schemas, body limit, how the caller authenticates, and its handler.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { AuthenticatedDevice } from './device-auth';
import type { RouteInputSchemas } from '../app/route-input';
import type { ServerContext } from '../app/server-context';

/**
 * `enrollment-proof`: the caller has no device yet; its bearer JWT proves it holds the key being enrolled, and the
 * enrollment rate limit applies. `device-token`: signed by an active device; the per-device rate limit applies.
 * `none`: anybody, for what is public by design (catalog images, whose hash is the capability); only the per-address
 * limit applies.
 */
export type DeviceAuthentication = 'enrollment-proof' | 'device-token' | 'none';

type Caller<A extends DeviceAuthentication> = A extends 'device-token'
  ? { device: AuthenticatedDevice }
  : A extends 'enrollment-proof'
    ? { proofToken: string | null }
    : Record<never, never>;

type DeviceRouteInput<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, A extends DeviceAuthentication> = {
  ctx: ServerContext;
  params: z.infer<P>;
  query: z.infer<Q>;
  body: z.infer<B>;
  request: FastifyRequest;
  reply: FastifyReply;
} & Caller<A>;

export interface DeviceRouteSpec<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  A extends DeviceAuthentication = DeviceAuthentication,
> extends RouteInputSchemas {
  method: 'GET' | 'POST' | 'PUT';
  /** Fastify path below /api/device/v1, parameters as `:name`. */
  path: string;
  authentication: A;
  params?: P;
  query?: Q;
  body?: B;
  /** Bytes; absent means the server's default. Set it to what the route needs, so nothing larger is parsed. */
  bodyLimit?: number;
  /** Runs once the caller is authenticated and within its limits and the input is parsed. */
  handler(input: DeviceRouteInput<P, Q, B, A>): Promise<unknown>;
}

/** Identity with inference: keeps each spec's schema and authentication types for its handler. */
export function defineDeviceRoute<
  A extends DeviceAuthentication,
  P extends z.ZodType = z.ZodNever,
  Q extends z.ZodType = z.ZodNever,
  B extends z.ZodType = z.ZodNever,
>(spec: DeviceRouteSpec<P, Q, B, A>): DeviceRouteSpec<P, Q, B, A> {
  return spec;
}
