// Admin API: script configurations (a script version, input overrides, variables, a schedule), their distribution and per-device state.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { QueryInt, Version } from '../../shared/input-bounds';
import { parseScheduleSpec, ScheduleSpecSchema } from '../../shared/schedule';
import { formatRunInstant, isKnownTimeZone, nextRunInstants } from '../../shared/schedule-math';
import { TicketClaimsSchema } from '../../shared/ticket';
import { adminActor } from '../admin-api/admin-auth';
import { addAdminRoute, defineAdminRoute, IdParamsSchema, PageQuerySchema, SearchTermSchema } from '../admin-api/admin-route';
import { auditedChange } from '../audit/audit-log';
import { agentConfigurationsByPrecedence, effectiveAgentConfiguration, NO_AGENT_CONFIGURATION_REASON } from './device-assignments';
import { devicesInService } from '../devices/device-queries';
import { configurationHasResults } from '../device-api/device-report-queries';
import { checkDistributionTargets, DistributionSchema, includesDevice, NO_ONE, normaliseDistribution, readDistribution } from './distribution';
import { allDeviceGroupMemberships, allUserGroupMemberships } from '../users/group-queries';
import { badRequest, conflict, notFound } from '../app/http-errors';
import {
  deleteScriptConfiguration,
  insertScriptConfiguration,
  listScriptConfigurations,
  scriptConfigurationById,
  updateScriptConfiguration,
  type ScriptConfigurationsTable,
} from './script-configuration-queries';
import { InputOverridesSchema, ScriptInputsSchema, unknownOverride, type InputOverrides } from '../scripts/script-inputs';
import { scriptById, scriptVersion } from '../scripts/script-queries';
import type { ServerContext } from '../app/server-context';

/** Variables travel inside every ticket, which the agent caps at 64 KB; this leaves room for the rest of it. */
const MAX_VARIABLES_JSON_BYTES = 16 * 1024;

const Name = z.string().trim().min(1).max(200);
const Description = z.string().max(2000);
const Variables = TicketClaimsSchema.shape.variables.refine((v) => Buffer.byteLength(JSON.stringify(v)) <= MAX_VARIABLES_JSON_BYTES, {
  message: 'variables must total at most 16 KB',
});

export const SCRIPT_CONFIGURATION_ROUTES = {
  list: defineAdminRoute({
    method: 'GET',
    path: '/script-configurations',
    operation: 'script-configurations.list',
    summary: 'List script configurations, filtered by a search term on the name or by script.',
    query: PageQuerySchema.extend({ q: SearchTermSchema.optional(), scriptId: z.string().max(64).optional() }),
  }),
  get: defineAdminRoute({ method: 'GET', path: '/script-configurations/:id', operation: 'script-configurations.get', summary: 'One script configuration.', params: IdParamsSchema }),
  create: defineAdminRoute({
    method: 'POST',
    path: '/script-configurations',
    operation: 'script-configurations.create',
    summary: "Create a script configuration of a script version (the latest unless given), with overrides of the script's inputs and a schedule.",
    body: z.strictObject({
      name: Name,
      description: Description.optional(),
      scriptId: z.string().min(1).max(64),
      scriptVersion: Version.optional(),
      schedule: ScheduleSpecSchema,
      inputs: InputOverridesSchema.optional(),
      variables: Variables.optional(),
      distribution: DistributionSchema.optional(),
    }),
    successStatus: 201,
  }),
  update: defineAdminRoute({
    method: 'PATCH',
    path: '/script-configurations/:id',
    operation: 'script-configurations.update',
    summary: 'Edit a script configuration (a new version); devices get it at their next check-in.',
    params: IdParamsSchema,
    body: z.strictObject({
      name: Name.optional(),
      description: Description.nullable().optional(),
      scriptVersion: Version.optional(),
      schedule: ScheduleSpecSchema.optional(),
      inputs: InputOverridesSchema.optional(),
      variables: Variables.optional(),
    }),
  }),
  distribute: defineAdminRoute({
    method: 'PUT',
    path: '/script-configurations/:id/distribution',
    operation: 'script-configurations.distribute',
    summary: 'Distribute to everyone, to no one, or to custom users, user groups, devices and device groups.',
    params: IdParamsSchema,
    body: DistributionSchema,
  }),
  devices: defineAdminRoute({
    method: 'GET',
    path: '/script-configurations/:id/devices',
    operation: 'script-configurations.devices',
    summary: 'The devices the configuration is distributed to and its state on each: distributed, or error without an agent configuration.',
    params: IdParamsSchema,
    query: PageQuerySchema.extend({ state: z.enum(['distributed', 'error']).optional() }),
  }),
  nextRuns: defineAdminRoute({
    method: 'GET',
    path: '/script-configurations/:id/next-runs',
    operation: 'script-configurations.next-runs',
    summary: 'The next run instants (UTC) of the configuration\'s schedule at or after `from` (default now), in a device zone (default UTC), as the agent plans them.',
    params: IdParamsSchema,
    query: z.object({
      count: QueryInt(1, 100).default(10),
      deviceTz: z.string().max(64).refine(isKnownTimeZone, 'must be a known IANA time zone such as Europe/Paris').default('UTC'),
      from: z.iso.datetime({ offset: true }).optional(),
    }),
  }),
  delete: defineAdminRoute({
    method: 'DELETE',
    path: '/script-configurations/:id',
    operation: 'script-configurations.delete',
    summary: 'Delete a script configuration that never ran; one with results in device logs is distributed to no one instead.',
    params: IdParamsSchema,
  }),
};

const scriptConfigurationView = (row: ScriptConfigurationsTable) => ({
  id: row.id,
  name: row.name,
  description: row.description,
  scriptId: row.script_id,
  scriptVersion: row.script_version,
  schedule: JSON.parse(row.schedule) as unknown,
  inputs: JSON.parse(row.inputs) as InputOverrides,
  variables: JSON.parse(row.variables) as Record<string, string>,
  distribution: readDistribution(row.distribution),
  version: row.version,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** What the audit trail keeps of a configuration: variable and override names, never their values, which may be secrets. */
const auditView = (row: ScriptConfigurationsTable) => {
  const { variables, inputs, ...rest } = scriptConfigurationView(row);
  return { ...rest, variableNames: Object.keys(variables), inputOverrideNames: Object.keys(inputs) };
};

/** Registers /script-configurations routes on an admin-authenticated plugin scope. */
export function adminScriptConfigurationRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const find = async (id: string): Promise<ScriptConfigurationsTable> => {
    const row = await scriptConfigurationById(ctx.db, ctx.tenant.id, id);
    if (!row) throw notFound(`Script configuration ${id} does not exist.`);
    return row;
  };
  /** The script version a configuration uses, refusing overrides of inputs that version does not have. */
  const checkScriptVersion = async (scriptId: string, version: number | undefined, overrides: InputOverrides): Promise<number> => {
    const script = await scriptById(ctx.db, ctx.tenant.id, scriptId);
    if (!script) throw notFound(`Script ${scriptId} does not exist.`);
    const wanted = version ?? script.latest_version;
    const row = await scriptVersion(ctx.db, scriptId, wanted);
    if (!row) throw notFound(`Script ${scriptId} has no version ${wanted}.`);
    const unknown = unknownOverride(ScriptInputsSchema.parse(JSON.parse(row.inputs)), overrides);
    if (unknown !== null) throw badRequest(`Invalid inputs: version ${wanted} of the script has no input with variable ${unknown}.`);
    return wanted;
  };
  const saveChange = async (request: FastifyRequest, action: string, before: ScriptConfigurationsTable, after: ScriptConfigurationsTable) => {
    await auditedChange(ctx.db, { at: new Date(after.updated_at), actor: adminActor(request), action, target: `script_configuration:${before.id}`, before: auditView(before), after: auditView(after) }, async (trx) => {
      if (!(await updateScriptConfiguration(trx, before, after))) throw conflict(`Script configuration ${before.name} was changed at the same time; reload it and try again.`);
    });
    return scriptConfigurationView(after);
  };

  addAdminRoute(app, SCRIPT_CONFIGURATION_ROUTES.list, async ({ query }) => {
    const { rows, page } = await listScriptConfigurations(ctx.db, ctx.tenant.id, query, query);
    return { scriptConfigurations: rows.map(scriptConfigurationView), page };
  });

  addAdminRoute(app, SCRIPT_CONFIGURATION_ROUTES.get, async ({ params }) => scriptConfigurationView(await find(params.id)));

  addAdminRoute(app, SCRIPT_CONFIGURATION_ROUTES.create, async ({ body, request }) => {
    const inputs = body.inputs ?? {};
    const scriptVersion = await checkScriptVersion(body.scriptId, body.scriptVersion, inputs);
    const distribution = normaliseDistribution(body.distribution ?? NO_ONE);
    await checkDistributionTargets(ctx.db, ctx.tenant.id, distribution);
    const now = ctx.now();
    const row: ScriptConfigurationsTable = {
      id: randomUUID(),
      tenant_id: ctx.tenant.id,
      name: body.name,
      description: body.description ?? null,
      script_id: body.scriptId,
      script_version: scriptVersion,
      schedule: JSON.stringify(body.schedule),
      inputs: JSON.stringify(inputs),
      variables: JSON.stringify(body.variables ?? {}),
      distribution: JSON.stringify(distribution),
      version: 1,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    };
    await auditedChange(ctx.db, { at: now, actor: adminActor(request), action: 'script_configuration.create', target: `script_configuration:${row.id}`, after: auditView(row) }, async (trx) => {
      await insertScriptConfiguration(trx, row);
    });
    return scriptConfigurationView(row);
  });

  addAdminRoute(app, SCRIPT_CONFIGURATION_ROUTES.update, async ({ params, body, request }) => {
    const before = await find(params.id);
    const inputs = body.inputs ?? InputOverridesSchema.parse(JSON.parse(before.inputs));
    const scriptVersion = await checkScriptVersion(before.script_id, body.scriptVersion ?? before.script_version, inputs);
    return saveChange(request, 'script_configuration.update', before, {
      ...before,
      name: body.name ?? before.name,
      description: body.description === undefined ? before.description : body.description,
      script_version: scriptVersion,
      schedule: body.schedule === undefined ? before.schedule : JSON.stringify(body.schedule),
      inputs: JSON.stringify(inputs),
      variables: body.variables === undefined ? before.variables : JSON.stringify(body.variables),
      version: before.version + 1,
      updated_at: ctx.now().toISOString(),
    });
  });

  addAdminRoute(app, SCRIPT_CONFIGURATION_ROUTES.distribute, async ({ params, body, request }) => {
    const before = await find(params.id);
    const distribution = normaliseDistribution(body);
    await checkDistributionTargets(ctx.db, ctx.tenant.id, distribution);
    return saveChange(request, 'script_configuration.distribute', before, { ...before, distribution: JSON.stringify(distribution), updated_at: ctx.now().toISOString() });
  });

  addAdminRoute(app, SCRIPT_CONFIGURATION_ROUTES.devices, async ({ params, query }) => {
    const configuration = await find(params.id);
    const distribution = readDistribution(configuration.distribution);
    const [agentConfigurations, devices, userMemberships, deviceMemberships] = await Promise.all([
      agentConfigurationsByPrecedence(ctx.db, ctx.tenant.id),
      devicesInService(ctx.db, ctx.tenant.id),
      allUserGroupMemberships(ctx.db),
      allDeviceGroupMemberships(ctx.db),
    ]);
    const groupsOf = <K extends string>(rows: ({ group_id: string } & Record<K, string>)[], key: K) => {
      const map = new Map<string, string[]>();
      for (const r of rows) map.set(r[key], [...(map.get(r[key]) ?? []), r.group_id]);
      return map;
    };
    const userGroups = groupsOf(userMemberships, 'user_id');
    const deviceGroups = groupsOf(deviceMemberships, 'device_id');
    const states = [];
    for (const d of devices) {
      const target = { id: d.id, userId: d.user_id, userGroupIds: d.user_id === null ? [] : (userGroups.get(d.user_id) ?? []), deviceGroupIds: deviceGroups.get(d.id) ?? [] };
      if (!includesDevice(distribution, target)) continue;
      const agentConfiguration = effectiveAgentConfiguration(agentConfigurations, target);
      const state = agentConfiguration ? ('distributed' as const) : ('error' as const);
      if (query.state !== undefined && query.state !== state) continue;
      states.push({ deviceId: d.id, deviceName: d.name, state, reason: agentConfiguration ? null : NO_AGENT_CONFIGURATION_REASON, agentConfigurationId: agentConfiguration?.id ?? null });
    }
    return { devices: states.slice(query.offset, query.offset + query.limit), page: { limit: query.limit, offset: query.offset, total: states.length } };
  });

  // The same function the agent plans with (issue 5), so what the admin sees is what the device will do.
  addAdminRoute(app, SCRIPT_CONFIGURATION_ROUTES.nextRuns, async ({ params, query }) => {
    const row = await find(params.id);
    const parsed = parseScheduleSpec(JSON.parse(row.schedule));
    if (!parsed.success) throw conflict(`Script configuration ${row.name} has a stored ${parsed.message}; edit it with a valid schedule.`);
    const from = query.from === undefined ? ctx.now() : new Date(query.from);
    return {
      configurationId: row.id,
      version: row.version,
      schedule: parsed.spec,
      deviceTimeZone: query.deviceTz,
      from: formatRunInstant(from),
      runs: nextRunInstants(parsed.spec, from, query.count, query.deviceTz).map(formatRunInstant),
    };
  });

  addAdminRoute(app, SCRIPT_CONFIGURATION_ROUTES.delete, async ({ params, request }) => {
    const row = await find(params.id);
    // Device logs keep every result, and each result names its configuration.
    if (await configurationHasResults(ctx.db, row.id)) throw conflict(`Script configuration ${row.name} has results in device logs; distribute it to no one instead of deleting it.`);
    const now = ctx.now();
    await auditedChange(ctx.db, { at: now, actor: adminActor(request), action: 'script_configuration.delete', target: `script_configuration:${row.id}`, before: auditView(row) }, async (trx) => {
      await deleteScriptConfiguration(trx, row.id);
    });
    return { deleted: row.id };
  });
}
