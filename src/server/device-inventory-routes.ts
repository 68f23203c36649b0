// Device API POST /inventory: the device's installed apps, shown on its details page (DESIGN.md §2).
import type { FastifyInstance } from 'fastify';
import { InventoryRequestSchema } from '../shared/protocol';
import { authenticatedDevice, requireDeviceToken } from './device-auth';
import { storeInventory } from './device-reports';
import { parseInput } from './http-errors';
import type { ServerContext } from './server-context';

/** 5000 apps with long names and versions stay under this. */
const INVENTORY_BODY_LIMIT_BYTES = 2 * 1024 * 1024;

/** Registers the device-signed /inventory route on a plugin scope prefixed with DEVICE_API_PREFIX. */
export function deviceInventoryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  requireDeviceToken(app, ctx);
  app.post('/inventory', { bodyLimit: INVENTORY_BODY_LIMIT_BYTES }, async (request) => {
    const body = parseInput(InventoryRequestSchema, request.body, 'body');
    return { apps: await storeInventory(ctx, authenticatedDevice(request), body.apps) };
  });
}
