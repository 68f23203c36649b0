// Registers every route of device-api-catalog.ts in one scope, so none can miss the device token or a rate limit (issue 10).
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import { bearerToken } from '../admin-api/bearer-token';
import { DEVICE_API_ROUTES } from './device-api-catalog';
import { authenticatedDevice, deviceTokenHook } from './device-auth';
import { deviceRateLimitHooks, type DeviceRateLimits } from './device-rate-limits';
import type { DeviceAuthentication } from './device-route';
import { routeInputParser } from '../app/route-input';
import type { ServerContext } from '../app/server-context';

/** Registers the device API on a plugin scope prefixed with DEVICE_API_PREFIX; the per-address limit runs before anything else. */
export async function deviceRoutes(app: FastifyInstance, ctx: ServerContext, limits: DeviceRateLimits): Promise<void> {
  const rateLimits = await deviceRateLimitHooks(app, limits);
  app.addHook('onRequest', rateLimits.perAddress);
  // Per-device limiting keys on the verified device id, so it runs after the token is checked.
  const hooksOf: Record<DeviceAuthentication, onRequestAsyncHookHandler[]> = {
    'enrollment-proof': [rateLimits.enroll],
    'device-token': [deviceTokenHook(ctx), rateLimits.perDevice],
    // The per-address limit of the whole scope is this route's limit too.
    none: [],
  };
  for (const spec of DEVICE_API_ROUTES) {
    const parse = routeInputParser(spec);
    app.route({
      method: spec.method,
      url: spec.path,
      onRequest: hooksOf[spec.authentication],
      ...(spec.bodyLimit === undefined ? {} : { bodyLimit: spec.bodyLimit }),
      handler: async (request, reply) => {
        const caller =
          spec.authentication === 'device-token'
            ? { device: authenticatedDevice(request) }
            : spec.authentication === 'enrollment-proof'
              ? { proofToken: bearerToken(request.headers.authorization) }
              : {};
        return spec.handler({ ctx, ...parse(request), request, reply, ...caller } as Parameters<typeof spec.handler>[0]);
      },
    });
  }
}
