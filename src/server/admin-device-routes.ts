// Admin API: devices, what is distributed to each, and each device's log (script results and events, newest first).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { loadDeviceAssignments, NO_AGENT_CONFIGURATION_REASON } from './device-assignments';
import { notFound, parseInput } from './http-errors';
import type { ServerContext } from './server-context';

const IdParamsSchema = z.object({ id: z.string() });
const LogsQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200) });

/** Registers /devices routes on an admin-authenticated plugin scope. */
export function adminDeviceRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const devicesWithUsers = () =>
    ctx.db
      .selectFrom('devices as d')
      .innerJoin('users as u', 'u.id', 'd.user_id')
      .select([
        'd.id',
        'd.name',
        'd.status',
        'd.user_id',
        'u.username',
        'd.last_checkin_at',
        'd.agent_version',
        'd.os_version',
        'd.enrolled_at',
        'd.facts',
      ])
      .where('d.tenant_id', '=', ctx.tenant.id);

  type DeviceRow = Awaited<ReturnType<ReturnType<typeof devicesWithUsers>['executeTakeFirstOrThrow']>>;
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

  const findDevice = async (params: unknown): Promise<DeviceRow> => {
    const { id } = parseInput(IdParamsSchema, params, 'device id');
    const device = await devicesWithUsers().where('d.id', '=', id).executeTakeFirst();
    if (!device) throw notFound(`Device ${id} does not exist.`);
    return device;
  };

  app.get('/devices', async () => {
    const rows = await devicesWithUsers().orderBy('d.enrolled_at', 'desc').execute();
    return { devices: rows.map(deviceView) };
  });

  app.get('/devices/:id', async (request) => {
    const device = await findDevice(request.params);
    const assignments = await loadDeviceAssignments(ctx.db, { id: device.id, tenantId: ctx.tenant.id, userId: device.user_id });
    const agentConfiguration = assignments.agentConfiguration;
    return {
      ...deviceView(device),
      facts: JSON.parse(device.facts) as unknown,
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

  app.get('/devices/:id/logs', async (request) => {
    const device = await findDevice(request.params);
    const { limit } = parseInput(LogsQuerySchema, request.query, 'query');
    const [results, events] = await Promise.all([
      ctx.db
        .selectFrom('script_results')
        .select(['ended_at', 'result', 'received_at'])
        .where('device_id', '=', device.id)
        .orderBy('ended_at', 'desc')
        .limit(limit)
        .execute(),
      ctx.db
        .selectFrom('device_events')
        .select(['at', 'event', 'received_at'])
        .where('device_id', '=', device.id)
        .orderBy('at', 'desc')
        .limit(limit)
        .execute(),
    ]);
    const logs = [
      ...results.map((r) => ({ kind: 'script_result' as const, at: r.ended_at, receivedAt: r.received_at, result: JSON.parse(r.result) as unknown })),
      ...events.map((e) => ({ kind: 'event' as const, at: e.at, receivedAt: e.received_at, event: JSON.parse(e.event) as unknown })),
    ];
    logs.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
    return { logs: logs.slice(0, limit) };
  });
}
