// Admin API: devices, what is distributed to each, their attributes and installed apps, and each device's log (results and events, newest first).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { QueryInt } from '../shared/input-bounds';
import { adminActor } from './admin-auth';
import { addAdminRoute, containsIgnoringCase, defineAdminRoute, IdParamsSchema, PageQuerySchema, SearchTermSchema } from './admin-route';
import { recordAudit } from './audit-log';
import { loadDeviceAssignments, NO_AGENT_CONFIGURATION_REASON } from './device-assignments';
import { configurationsNaming, describeUses } from './distribution';
import { conflict, notFound } from './http-errors';
import type { ServerContext } from './server-context';

const IsoInstant = z.iso.datetime({ offset: true });

export const DEVICE_ROUTES = {
  list: defineAdminRoute({
    method: 'GET',
    path: '/devices',
    operation: 'devices.list',
    summary: 'List devices with status, last check-in, agent version and OS, filtered and newest enrolled first.',
    query: PageQuerySchema.extend({
      q: SearchTermSchema.optional(),
      status: z.enum(['active', 'retired']).optional(),
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
    summary: 'Device details: facts, groups, custom attributes, agent configuration and the state of each script configuration.',
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
    summary: 'Apps installed on the device, as its latest inventory reported them.',
    params: IdParamsSchema,
    query: PageQuerySchema.extend({ q: SearchTermSchema.optional() }),
  }),
  update: defineAdminRoute({
    method: 'PATCH',
    path: '/devices/:id',
    operation: 'devices.update',
    summary: 'Rename a device.',
    params: IdParamsSchema,
    body: z.strictObject({ name: z.string().trim().min(1).max(200) }),
  }),
  delete: defineAdminRoute({
    method: 'DELETE',
    path: '/devices/:id',
    operation: 'devices.delete',
    summary: 'Delete a retired device with its logs, attributes and apps; an active device must be retired first.',
    params: IdParamsSchema,
  }),
};

interface DeviceRow {
  id: string;
  name: string;
  status: string;
  user_id: string;
  username: string;
  last_checkin_at: string | null;
  agent_version: string | null;
  os_version: string | null;
  enrolled_at: string;
  facts: string;
}

/** Registers /devices routes on an admin-authenticated plugin scope. */
export function adminDeviceRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const devicesWithUsers = () =>
    ctx.db
      .selectFrom('devices as d')
      .innerJoin('users as u', 'u.id', 'd.user_id')
      .where('d.tenant_id', '=', ctx.tenant.id);
  const columns = ['d.id', 'd.name', 'd.status', 'd.user_id', 'u.username', 'd.last_checkin_at', 'd.agent_version', 'd.os_version', 'd.enrolled_at', 'd.facts'] as const;

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
  });

  const findDevice = async (id: string): Promise<DeviceRow> => {
    const device = await devicesWithUsers().select(columns).where('d.id', '=', id).executeTakeFirst();
    if (!device) throw notFound(`Device ${id} does not exist.`);
    return device;
  };

  addAdminRoute(app, DEVICE_ROUTES.list, async ({ query }) => {
    let base = devicesWithUsers();
    if (query.q !== undefined) base = base.where(containsIgnoringCase('d.name', query.q));
    if (query.status !== undefined) base = base.where('d.status', '=', query.status);
    if (query.userId !== undefined) base = base.where('d.user_id', '=', query.userId);
    if (query.agentVersion !== undefined) base = base.where('d.agent_version', '=', query.agentVersion);
    if (query.checkedInBefore !== undefined) {
      const before = new Date(query.checkedInBefore).toISOString();
      base = base.where((eb) => eb.or([eb('d.last_checkin_at', 'is', null), eb('d.last_checkin_at', '<', before)]));
    }
    if (query.groupId !== undefined) {
      base = base.where('d.id', 'in', ctx.db.selectFrom('device_group_members').select('device_id').where('group_id', '=', query.groupId));
    }
    const [rows, count] = await Promise.all([
      base.select(columns).orderBy('d.enrolled_at', 'desc').orderBy('d.id').limit(query.limit).offset(query.offset).execute(),
      base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { devices: rows.map(deviceView), page: { limit: query.limit, offset: query.offset, total: Number(count.n) } };
  });

  addAdminRoute(app, DEVICE_ROUTES.get, async ({ params }) => {
    const device = await findDevice(params.id);
    const [assignments, groups, attributes, apps] = await Promise.all([
      loadDeviceAssignments(ctx.db, { id: device.id, tenantId: ctx.tenant.id, userId: device.user_id }),
      ctx.db
        .selectFrom('device_group_members as m')
        .innerJoin('device_groups as g', 'g.id', 'm.group_id')
        .select(['g.id', 'g.name'])
        .where('m.device_id', '=', device.id)
        .orderBy('g.name')
        .execute(),
      ctx.db.selectFrom('device_attributes').select(['name', 'value', 'updated_at']).where('device_id', '=', device.id).orderBy('name').execute(),
      ctx.db.selectFrom('device_apps').select((eb) => [eb.fn.countAll().as('n'), eb.fn.max('reported_at').as('reported_at')]).where('device_id', '=', device.id).executeTakeFirstOrThrow(),
    ]);
    const agentConfiguration = assignments.agentConfiguration;
    return {
      ...deviceView(device),
      facts: JSON.parse(device.facts) as unknown,
      groups,
      attributes: Object.fromEntries(attributes.map((a) => [a.name, a.value])),
      installedApps: { count: Number(apps.n), reportedAt: apps.reported_at ?? null },
      agentConfiguration: agentConfiguration ? { id: agentConfiguration.id, name: agentConfiguration.name } : null,
      scriptConfigurations: assignments.targeted.map((c) => ({
        id: c.id,
        name: c.name,
        version: c.version,
        state: agentConfiguration ? 'distributed' : 'error',
        reason: agentConfiguration ? null : NO_AGENT_CONFIGURATION_REASON,
      })),
    };
  });

  addAdminRoute(app, DEVICE_ROUTES.logs, async ({ params, query }) => {
    const device = await findDevice(params.id);
    const before = query.before === undefined ? undefined : new Date(query.before).toISOString();
    const results = async () => {
      let q = ctx.db.selectFrom('script_results').select(['ended_at', 'result', 'received_at', 'stdout_encoding', 'stderr_encoding']).where('device_id', '=', device.id);
      if (before !== undefined) q = q.where('ended_at', '<', before);
      return q.orderBy('ended_at', 'desc').limit(query.limit).execute();
    };
    const events = async () => {
      let q = ctx.db.selectFrom('device_events').select(['at', 'event', 'received_at']).where('device_id', '=', device.id);
      if (before !== undefined) q = q.where('at', '<', before);
      return q.orderBy('at', 'desc').limit(query.limit).execute();
    };
    const [resultRows, eventRows] = await Promise.all([query.kind === 'event' ? [] : results(), query.kind === 'script_result' ? [] : events()]);
    const logs = [
      // The encodings are always named, also for results of older agents that left them out (meaning utf8).
      ...resultRows.map((r) => ({
        kind: 'script_result' as const,
        at: r.ended_at,
        receivedAt: r.received_at,
        result: { ...(JSON.parse(r.result) as Record<string, unknown>), stdoutEncoding: r.stdout_encoding, stderrEncoding: r.stderr_encoding },
      })),
      ...eventRows.map((e) => ({ kind: 'event' as const, at: e.at, receivedAt: e.received_at, event: JSON.parse(e.event) as unknown })),
    ];
    logs.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
    return { logs: logs.slice(0, query.limit) };
  });

  addAdminRoute(app, DEVICE_ROUTES.apps, async ({ params, query }) => {
    const device = await findDevice(params.id);
    let base = ctx.db.selectFrom('device_apps').where('device_id', '=', device.id);
    if (query.q !== undefined) {
      const q = query.q;
      base = base.where((eb) => eb.or([containsIgnoringCase('name', q), containsIgnoringCase('bundle_id', q)]));
    }
    const [rows, count] = await Promise.all([
      base.select(['bundle_id', 'name', 'version', 'reported_at']).orderBy('name').orderBy('bundle_id').limit(query.limit).offset(query.offset).execute(),
      base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
    ]);
    return {
      apps: rows.map((r) => ({ bundleId: r.bundle_id, name: r.name, version: r.version, reportedAt: r.reported_at })),
      page: { limit: query.limit, offset: query.offset, total: Number(count.n) },
    };
  });

  addAdminRoute(app, DEVICE_ROUTES.update, async ({ params, body, request }) => {
    const before = await findDevice(params.id);
    const now = ctx.now();
    await ctx.db.transaction().execute(async (trx) => {
      await trx.updateTable('devices').set({ name: body.name }).where('id', '=', before.id).execute();
      await recordAudit(trx, { actor: adminActor(request), action: 'device.update', target: `device:${before.id}`, before: deviceView(before), after: { ...deviceView(before), name: body.name } }, now);
    });
    return { ...deviceView(before), name: body.name };
  });

  addAdminRoute(app, DEVICE_ROUTES.delete, async ({ params, request }) => {
    const device = await findDevice(params.id);
    if (device.status !== 'retired') throw conflict(`Device ${device.name} is active; retire it before deleting it.`);
    const uses = await configurationsNaming(ctx.db, ctx.tenant.id, 'devices', device.id);
    if (uses.length > 0) throw conflict(`Device ${device.name} is distributed to by ${describeUses(uses)}; change those distributions first.`);
    const now = ctx.now();
    await ctx.db.transaction().execute(async (trx) => {
      for (const table of ['script_results', 'device_events', 'device_attributes', 'device_apps', 'device_group_members', 'device_tickets'] as const) {
        await trx.deleteFrom(table).where('device_id', '=', device.id).execute();
      }
      await trx.deleteFrom('devices').where('id', '=', device.id).execute();
      await recordAudit(trx, { actor: adminActor(request), action: 'device.delete', target: `device:${device.id}`, before: deviceView(device) }, now);
    });
    return { deleted: device.id };
  });
}
