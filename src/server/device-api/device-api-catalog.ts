// Every device API route's spec in one list (DESIGN.md §2): device-routes.ts registers them all in the scope where authentication and every rate limit apply.
import { z } from 'zod';
import {
  CATALOG_IMAGE_PATH,
  CATALOG_PATH,
  CatalogQuerySchema,
  InstallReportSchema,
  RETIRE_PATH,
  RetireRequestSchema,
  ReviewInputSchema,
  ReviewQuerySchema,
} from '../../shared/catalog-protocol';
import { Text } from '../../shared/input-bounds';
import { DEVICE_API_PREFIX } from '../../shared/protocol';
import { CheckinRequestSchema, EnrollRequestSchema, EventsRequestSchema, InventoryRequestSchema, ResultsRequestSchema } from '../../shared/protocol';
import { checkIn } from './checkin';
import { deliverableBlobBytes } from '../configurations/device-assignments';
import { storeEvents, storeInventory, storeResults } from './device-reports';
import { defineDeviceRoute, type DeviceRouteSpec } from './device-route';
import { enrollDevice } from './enrollment';
import { conflict, notFound } from '../app/http-errors';
import {
  catalogAppDetails,
  catalogPage,
  catalogReviews,
  installTicket,
  putReview,
  recordInstallReport,
  sendImage,
  sendPackage,
} from '../catalog/device-catalog-handlers';
import { retireDevice } from '../devices/device-retirement';

/** Enrollment and check-in bodies are a few hundred bytes; anything near this is not a device talking. */
const SMALL_BODY_LIMIT_BYTES = 16 * 1024;
/** 5000 apps and 5000 receipts with long names and versions stay under this. */
const INVENTORY_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

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
  handler: ({ ctx, device, body }) => storeInventory(ctx, device, body),
});

/** Paths of the catalog below the device API prefix, as the route table names them. */
const CATALOG = CATALOG_PATH.slice(DEVICE_API_PREFIX.length);
const AppParams = z.object({ id: Text(64).min(1) });

const catalog = defineDeviceRoute({
  method: 'GET',
  path: `${CATALOG}/apps`,
  authentication: 'device-token',
  query: CatalogQuerySchema,
  handler: ({ ctx, device, query }) => catalogPage(ctx, device, query),
});

const appDetails = defineDeviceRoute({
  method: 'GET',
  path: `${CATALOG}/apps/:id`,
  authentication: 'device-token',
  params: AppParams,
  handler: ({ ctx, device, params }) => catalogAppDetails(ctx, device, params.id),
});

const reviews = defineDeviceRoute({
  method: 'GET',
  path: `${CATALOG}/apps/:id/reviews`,
  authentication: 'device-token',
  params: AppParams,
  query: ReviewQuerySchema,
  handler: ({ ctx, device, params, query }) => catalogReviews(ctx, device, params.id, query),
});

const review = defineDeviceRoute({
  method: 'PUT',
  path: `${CATALOG}/apps/:id/review`,
  authentication: 'device-token',
  params: AppParams,
  body: ReviewInputSchema,
  bodyLimit: SMALL_BODY_LIMIT_BYTES,
  handler: ({ ctx, device, params, body }) => putReview(ctx, device, params.id, body),
});

const ticket = defineDeviceRoute({
  method: 'POST',
  path: `${CATALOG}/apps/:id/install-ticket`,
  authentication: 'device-token',
  params: AppParams,
  // Nothing to say but the app: an empty body or {}, anything else is refused rather than ignored.
  body: z.strictObject({}),
  bodyLimit: SMALL_BODY_LIMIT_BYTES,
  handler: ({ ctx, device, params }) => installTicket(ctx, device, params.id),
});

const appPackage = defineDeviceRoute({
  method: 'GET',
  path: `${CATALOG}/apps/:id/package`,
  authentication: 'device-token',
  params: AppParams,
  handler: ({ ctx, device, params, request, reply }) => sendPackage(ctx, device, params.id, request, reply),
});

const installReport = defineDeviceRoute({
  method: 'POST',
  path: `${CATALOG}/apps/:id/install-report`,
  authentication: 'device-token',
  params: AppParams,
  body: InstallReportSchema,
  bodyLimit: SMALL_BODY_LIMIT_BYTES,
  handler: async ({ ctx, device, params, body, reply }) => {
    await recordInstallReport(ctx, device, params.id, body);
    return reply.code(204).send();
  },
});

// Public: the UI loads images straight from the server, and a hash names only what some app shows (docs/security.md).
const image = defineDeviceRoute({
  method: 'GET',
  path: `${CATALOG_IMAGE_PATH.slice(DEVICE_API_PREFIX.length)}/:sha256`,
  authentication: 'none',
  params: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/, 'an image is named by the 64 lower-case hex digits of its sha256') }),
  handler: ({ ctx, params, request, reply }) => sendImage(ctx, params.sha256, request, reply),
});

// The device's own retire (About > Uninstall), and its confirmation of an admin's retire request: one way (issue 13).
const retire = defineDeviceRoute({
  method: 'POST',
  path: RETIRE_PATH.slice(DEVICE_API_PREFIX.length),
  authentication: 'device-token',
  body: RetireRequestSchema,
  bodyLimit: SMALL_BODY_LIMIT_BYTES,
  handler: async ({ ctx, device, body }) => {
    const at = ctx.now();
    if (!(await retireDevice(ctx.db, device.id, { actor: `device:${device.id}`, reason: body.reason, at }))) throw conflict('This device is already retired.');
    return { retiredAt: at.toISOString() };
  },
});

export const DEVICE_API_ROUTES: readonly DeviceRouteSpec[] = [
  enroll,
  checkin,
  blob,
  results,
  events,
  inventory,
  catalog,
  appDetails,
  reviews,
  review,
  ticket,
  appPackage,
  installReport,
  image,
  retire,
];
