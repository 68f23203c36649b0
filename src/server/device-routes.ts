// The device API /api/device/v1 (DESIGN.md §2): enroll unauthenticated (with proof of possession), everything else device-signed.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CheckinRequestSchema, EnrollRequestSchema, EventsRequestSchema, ResultsRequestSchema } from '../shared/protocol';
import { bearerToken } from './bearer-token';
import { checkIn } from './checkin';
import { authenticatedDevice, requireDeviceToken } from './device-auth';
import { loadDeviceAssignments } from './device-assignments';
import { deviceInventoryRoutes } from './device-inventory-routes';
import { storeEvents, storeResults } from './device-reports';
import { deviceRateLimitHooks, type DeviceRateLimits } from './device-rate-limits';
import { enrollDevice } from './enrollment';
import { notFound, parseInput } from './http-errors';
import type { ServerContext } from './server-context';

const BlobParamsSchema = z.object({ id: z.string() });
const BLOB_NOT_FOUND = 'There is no such blob for this device.';
/** Enrollment and check-in bodies are a few hundred bytes; anything near this is not a device talking. */
const SMALL_BODY_LIMIT_BYTES = 16 * 1024;

/** Registers the device API routes on a plugin scope prefixed with DEVICE_API_PREFIX. */
export async function deviceRoutes(app: FastifyInstance, ctx: ServerContext, limits: DeviceRateLimits): Promise<void> {
  const rateLimits = await deviceRateLimitHooks(app, limits);
  app.addHook('onRequest', rateLimits.perAddress);

  app.post('/enroll', { bodyLimit: SMALL_BODY_LIMIT_BYTES, onRequest: rateLimits.enroll }, async (request) => {
    const body = parseInput(EnrollRequestSchema, request.body, 'body');
    return enrollDevice(ctx, body, bearerToken(request.headers.authorization));
  });

  await app.register(async (signed) => {
    requireDeviceToken(signed, ctx);
    signed.addHook('onRequest', rateLimits.perDevice);

    signed.post('/checkin', { bodyLimit: SMALL_BODY_LIMIT_BYTES }, async (request) => {
      const body = parseInput(CheckinRequestSchema, request.body, 'body');
      return checkIn(ctx, authenticatedDevice(request), body);
    });

    signed.get('/blobs/:id', async (request, reply) => {
      const { id } = parseInput(BlobParamsSchema, request.params, 'blob id');
      const { deliverable } = await loadDeviceAssignments(ctx.db, authenticatedDevice(request));
      // A device gets a blob only while a script configuration using it is delivered to it.
      if (!deliverable.some((c) => c.blob.id === id)) throw notFound(BLOB_NOT_FOUND);
      const blob = await ctx.db.selectFrom('blobs').select('bytes').where('id', '=', id).executeTakeFirst();
      if (!blob) throw notFound(BLOB_NOT_FOUND);
      return reply.type('application/octet-stream').send(Buffer.from(blob.bytes));
    });

    signed.post('/results', async (request) => {
      const body = parseInput(ResultsRequestSchema, request.body, 'body');
      return { accepted: await storeResults(ctx, authenticatedDevice(request), body.results) };
    });

    signed.post('/events', async (request) => {
      const body = parseInput(EventsRequestSchema, request.body, 'body');
      return { accepted: await storeEvents(ctx, authenticatedDevice(request), body.events) };
    });

    deviceInventoryRoutes(signed, ctx);
  });
}
