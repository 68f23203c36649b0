// Device API POST /inventory: the device's installed apps, shown on its details page (DESIGN.md §2).
import type { FastifyInstance } from 'fastify';
import { InventoryRequestSchema } from '../shared/protocol';
import { authenticatedDevice } from './device-auth';
import { storeInventory } from './device-reports';
import { parseInput } from './http-errors';
import type { ServerContext } from './server-context';

/** 5000 apps with long names and versions stay under this. */
const INVENTORY_BODY_LIMIT_BYTES = 2 * 1024 * 1024;

/** Registers /inventory on device-routes.ts's signed scope, where the device token and every rate limit apply (issue 9). */
export function deviceInventoryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/inventory', { bodyLimit: INVENTORY_BODY_LIMIT_BYTES }, async (request) => {
    const body = parseInput(InventoryRequestSchema, request.body, 'body');
    return { apps: await storeInventory(ctx, authenticatedDevice(request), body.apps) };
  });
}
