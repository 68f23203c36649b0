// Every device API route's spec in one list (DESIGN.md §2): device-routes.ts registers them all in the scope where authentication and every rate limit apply.
import { z } from 'zod';
import { Text } from '../../shared/input-bounds';
import { CheckinRequestSchema, EnrollRequestSchema, EventsRequestSchema, InventoryRequestSchema, ResultsRequestSchema } from '../../shared/protocol';
import { checkIn } from './checkin';
import { deliverableBlobBytes } from '../configurations/device-assignments';
import { storeEvents, storeInventory, storeResults } from './device-reports';
import { defineDeviceRoute, type DeviceRouteSpec } from './device-route';
import { enrollDevice } from './enrollment';
import { notFound } from '../app/http-errors';

/** Enrollment and check-in bodies are a few hundred bytes; anything near this is not a device talking. */
const SMALL_BODY_LIMIT_BYTES = 16 * 1024;
/** 5000 apps with long names and versions stay under this. */
const INVENTORY_BODY_LIMIT_BYTES = 2 * 1024 * 1024;

const enroll = defineDeviceRoute({
  method: 'POST',
  path: '/enroll',
  authentication: 'enrollment-proof',
  body: EnrollRequestSchema,
  bodyLimit: SMALL_BODY_LIMIT_BYTES,
  handler: ({ ctx, body, proofToken }) => enrollDevice(ctx, body, proofToken),
});

const checkin = defineDeviceRoute({
  method: 'POST',
  path: '/checkin',
  authentication: 'device-token',
  body: CheckinRequestSchema,
  bodyLimit: SMALL_BODY_LIMIT_BYTES,
  handler: ({ ctx, device, body }) => checkIn(ctx, device, body),
});

const blob = defineDeviceRoute({
  method: 'GET',
  path: '/blobs/:id',
  authentication: 'device-token',
  params: z.object({ id: Text(100) }),
  handler: async ({ ctx, device, params, reply }) => {
    const bytes = await deliverableBlobBytes(ctx.db, device, params.id);
    // Another device's blob answers exactly as one that does not exist.
    if (bytes === null) throw notFound('There is no such blob for this device.');
    return reply.type('application/octet-stream').send(Buffer.from(bytes));
  },
});

const results = defineDeviceRoute({
  method: 'POST',
  path: '/results',
  authentication: 'device-token',
  body: ResultsRequestSchema,
  handler: async ({ ctx, device, body }) => ({ accepted: await storeResults(ctx, device, body.results) }),
});

const events = defineDeviceRoute({
  method: 'POST',
  path: '/events',
  authentication: 'device-token',
  body: EventsRequestSchema,
  handler: async ({ ctx, device, body }) => ({ accepted: await storeEvents(ctx, device, body.events) }),
});

const inventory = defineDeviceRoute({
  method: 'POST',
  path: '/inventory',
  authentication: 'device-token',
  body: InventoryRequestSchema,
  bodyLimit: INVENTORY_BODY_LIMIT_BYTES,
  handler: async ({ ctx, device, body }) => ({ apps: await storeInventory(ctx, device, body.apps) }),
});

export const DEVICE_API_ROUTES: readonly DeviceRouteSpec[] = [enroll, checkin, blob, results, events, inventory];
