// Admin API: devices, what is distributed to each, their attributes and inventory (apps and package receipts), and each device's log (results and events, newest first).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { QueryInt } from '../../shared/input-bounds';
import { adminActor } from '../admin-api/admin-auth';
import { addAdminRoute, defineAdminRoute, IdParamsSchema, PageQuerySchema, SearchTermSchema } from '../admin-api/admin-route';
import { auditedChange } from '../audit/audit-log';
import { loadDeviceAssignments, NO_AGENT_CONFIGURATION_REASON } from '../configurations/device-assignments';
import { deleteDevice, deviceById, deviceDetails, deviceLogs, DEVICE_STATUSES, listDeviceApps, listDevices, updateDevice, type DeviceRow } from './device-queries';
import { requestRetire, retireDevice } from './device-retirement';
import { configurationsNaming, describeUses } from '../configurations/distribution';
import { conflict, notFound } from '../app/http-errors';
import type { ServerContext } from '../app/server-context';
import { deviceAppInstalls } from '../catalog/install-report-queries';
import { userById } from '../users/user-queries';
import { inHouseAppsOnDevice, inventorySummary, listDeviceReceipts } from './inventory-queries';

const IsoInstant = z.iso.datetime({ offset: true });

export const DEVICE_ROUTES = {
  list: defineAdminRoute({
    method: 'GET',
    path: '/devices',
    operation: 'devices.list',
    summary: 'List devices with status, last check-in, agent version and OS, filtered and newest enrolled first.',
    query: PageQuerySchema.extend({
      q: SearchTermSchema.optional(),
      status: z.enum(DEVICE_STATUSES).optional().describe('active, retire_pending (asked to retire, not yet confirmed by its agent) or retired'),
      userId: z.string().max(64).optional(),
      groupId: z.string().max(64).optional(),
      agentVersion: z.string().max(50).optional(),
      checkedInBefore: IsoInstant.optional(),
    }),
  }),
  get: defineAdminRoute({
    method: 'GET',
    path: '/devices/:id',
    operation: 'devices.get',
    summary:
      "Device details: facts, groups, custom attributes, how it enrolled, its agent configuration, the state of each script configuration, each app pushed to it with its latest install report, its inventory (inventory: reportedAt, apps and receipts counted) and each Packager app of its catalog with whether its inventory lists it (inHouseApps).",
    params: IdParamsSchema,
  }),
  logs: defineAdminRoute({
    method: 'GET',
    path: '/devices/:id/logs',
    operation: 'devices.logs',
    summary: "The device's log, newest first: script results with their output (stdoutEncoding/stderrEncoding: utf8 text, or base64 of bytes that are not), and events; `before` pages back.",
    params: IdParamsSchema,
    query: z.object({
      limit: QueryInt(1, 1000).default(200),
      kind: z.enum(['script_result', 'event']).optional(),
      before: IsoInstant.optional(),
    }),
  }),
  apps: defineAdminRoute({
    method: 'GET',
    path: '/devices/:id/apps',
    operation: 'devices.apps',
    summary: 'Apps installed on the device (bundle id, name, version), as its latest inventory reported them at reportedAt; q finds a name or bundle id.',
    params: IdParamsSchema,
    query: PageQuerySchema.extend({ q: SearchTermSchema.optional() }),
  }),
  receipts: defineAdminRoute({
    method: 'GET',
    path: '/devices/:id/receipts',
    operation: 'devices.receipts',
    summary: "Package receipts on the device (package id, version, installedAt), as its latest inventory reported them at reportedAt; q finds part of a package id.",
    params: IdParamsSchema,
    query: PageQuerySchema.extend({ q: SearchTermSchema.optional() }),
  }),
  update: defineAdminRoute({
    method: 'PATCH',
    path: '/devices/:id',
    operation: 'devices.update',
    summary: 'Rename a device, or assign it a user (e.g. a Mac enrolled without one); it gets what is distributed to its new user from its next check-in.',
    params: IdParamsSchema,
    body: z.strictObject({
      name: z.string().trim().min(1).max(200).optional(),
      userId: z.string().min(1).max(64).nullable().optional().describe('the user the device belongs to; null leaves it without a user'),
    }),
  }),
  retire: defineAdminRoute({
    method: 'POST',
    path: '/devices/:id/retire',
    operation: 'devices.retire',
    summary:
      'Retire a device: it is retire_pending until its agent, told at its next check-in, confirms and removes itself (retired, retiredAt the confirmation time); force retires at once without the agent, for a Mac that is gone. Asking again while pending changes nothing.',
    params: IdParamsSchema,
    body: z.strictObject({
      reason: z.string().trim().min(1).max(200).optional().describe('why, as the audit trail and the device log show it'),
      force: z.boolean().optional().describe('retire now without waiting for the agent to confirm (its key is refused from now on)'),
    }),
  }),
  delete: defineAdminRoute({
    method: 'DELETE',
    path: '/devices/:id',
    operation: 'devices.delete',
    summary: 'Delete a retired device with its logs, attributes and inventory; an active or retire_pending device must be retired (or forced) first.',
    params: IdParamsSchema,
  }),
};

/** Registers /devices routes on an admin-authenticated plugin scope. */
export function adminDeviceRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const deviceView = (d: DeviceRow) => ({
    id: d.id,
    name: d.name,
    status: d.status,
    userId: d.user_id,
    username: d.username,
    lastCheckinAt: d.last_checkin_at,
    agentVersion: d.agent_version,
    osVersion: d.os_version,
    enrolledAt: d.enrolled_at,
    retireRequestedAt: d.retire_requested_at,
    retiredAt: d.retired_at,
    enrollment: { method: d.enrollment_method, enrolledAt: d.enrolled_at, tokenId: d.enrollment_token_id },
  });

  const findDevice = async (id: string): Promise<DeviceRow> => {
    const device = await deviceById(ctx.db, ctx.tenant.id, id);
    if (!device) throw notFound(`Device ${id} does not exist.`);
    return device;
  };

  addAdminRoute(app, DEVICE_ROUTES.list, async ({ query }) => {
    const { rows, page } = await listDevices(ctx.db, ctx.tenant.id, query, query);
    return { devices: rows.map(deviceView), page };
  });

  addAdminRoute(app, DEVICE_ROUTES.get, async ({ params }) => {
    const device = await findDevice(params.id);
    const ref = { id: device.id, tenantId: ctx.tenant.id, userId: device.user_id };
    const [assignments, { groups, attributes, installedApps }, appInstalls, inventory, inHouseApps] = await Promise.all([
      loadDeviceAssignments(ctx.db, ref),
      deviceDetails(ctx.db, device.id),
      deviceAppInstalls(ctx.db, device.id),
      inventorySummary(ctx.db, device.id),
      inHouseAppsOnDevice(ctx.db, ref),
    ]);
    const agentConfiguration = assignments.agentConfiguration;
    return {
      ...deviceView(device),
      facts: JSON.parse(device.facts) as unknown,
      groups,
      attributes,
      installedApps,
      agentConfiguration: agentConfiguration ? { id: agentConfiguration.id, name: agentConfiguration.name } : null,
      scriptConfigurations: assignments.targeted.map((c) => ({
        id: c.id,
        name: c.name,
        version: c.version,
        state: agentConfiguration ? 'distributed' : 'error',
        reason: agentConfiguration ? null : NO_AGENT_CONFIGURATION_REASON,
      })),
      appInstalls,
      inventory,
      inHouseApps,
    };
  });

  addAdminRoute(app, DEVICE_ROUTES.logs, async ({ params, query }) => {
    const device = await findDevice(params.id);
    return { logs: await deviceLogs(ctx.db, device.id, query) };
  });

  addAdminRoute(app, DEVICE_ROUTES.apps, async ({ params, query }) => {
    const device = await findDevice(params.id);
    const [list, { reportedAt }] = await Promise.all([listDeviceApps(ctx.db, device.id, query.q, query), inventorySummary(ctx.db, device.id)]);
    return { ...list, reportedAt };
  });

  addAdminRoute(app, DEVICE_ROUTES.receipts, async ({ params, query }) => {
    const device = await findDevice(params.id);
    const [list, { reportedAt }] = await Promise.all([listDeviceReceipts(ctx.db, device.id, query.q, query), inventorySummary(ctx.db, device.id)]);
    return { ...list, reportedAt };
  });

  addAdminRoute(app, DEVICE_ROUTES.update, async ({ params, body, request }) => {
    const before = await findDevice(params.id);
    const after: DeviceRow = { ...before, name: body.name ?? before.name };
    if (body.userId !== undefined) {
      const user = body.userId === null ? null : await userById(ctx.db, ctx.tenant.id, body.userId);
      if (user === undefined) throw notFound(`User ${body.userId} does not exist; name an existing user, or null for none.`);
      after.user_id = user?.id ?? null;
      after.username = user?.username ?? null;
    }
    const now = ctx.now();
    await auditedChange(ctx.db, { at: now, actor: adminActor(request), action: 'device.update', target: `device:${before.id}`, before: deviceView(before), after: deviceView(after) }, async (trx) => {
      await updateDevice(trx, before.id, { name: after.name, user_id: after.user_id });
    });
    return deviceView(after);
  });

  addAdminRoute(app, DEVICE_ROUTES.retire, async ({ params, body, request }) => {
    const device = await findDevice(params.id);
    if (device.status === 'retired') throw conflict(`Device ${device.name} is already retired.`);
    const by = { actor: adminActor(request), reason: body.reason ?? 'Retired by an administrator.', at: ctx.now() };
    // Either way a concurrent retire may have won: the answer shows the device as it now is.
    if (body.force === true) await retireDevice(ctx.db, device.id, { ...by, forced: true });
    else if (device.status === 'active') await requestRetire(ctx.db, device.id, by);
    return deviceView(await findDevice(device.id));
  });

  addAdminRoute(app, DEVICE_ROUTES.delete, async ({ params, request }) => {
    const device = await findDevice(params.id);
    if (device.status !== 'retired') throw conflict(`Device ${device.name} is ${device.status === 'active' ? 'active' : 'waiting for its agent to confirm its retirement'}; retire it (force: true for a Mac that is gone) before deleting it.`);
    const uses = await configurationsNaming(ctx.db, ctx.tenant.id, 'devices', device.id);
    if (uses.length > 0) throw conflict(`Device ${device.name} is distributed to by ${describeUses(uses)}; change those distributions first.`);
    const now = ctx.now();
    await auditedChange(ctx.db, { at: now, actor: adminActor(request), action: 'device.delete', target: `device:${device.id}`, before: deviceView(device) }, async (trx) => {
      await deleteDevice(trx, device.id);
    });
    return { deleted: device.id };
  });
}
