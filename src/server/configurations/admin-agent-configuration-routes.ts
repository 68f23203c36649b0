// Admin API: agent ("Mobile@Work for macOS") configurations, their edits and their distribution (DESIGN.md §6).
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AgentConfigSchema, DEFAULT_AGENT_CONFIG, OnboardingSettingsInputSchema, type AgentConfig } from '../../shared/agent-config';
import { adminActor } from '../admin-api/admin-auth';
import { addAdminRoute, defineAdminRoute, IdParamsSchema, PageQuerySchema, SearchTermSchema } from '../admin-api/admin-route';
import {
  agentConfigurationById,
  deleteAgentConfiguration,
  insertAgentConfiguration,
  listAgentConfigurations,
  updateAgentConfiguration,
  type AgentConfigurationsTable,
} from './agent-configuration-queries';
import { auditedChange } from '../audit/audit-log';
import { checkDistributionTargets, DistributionSchema, NO_ONE, normaliseDistribution, readDistribution } from './distribution';
import { conflict, notFound } from '../app/http-errors';
import type { ServerContext } from '../app/server-context';

const settings = AgentConfigSchema.shape;
const Name = z.string().trim().min(1).max(200);
const Description = z.string().max(2000);

export const AGENT_CONFIGURATION_ROUTES = {
  list: defineAdminRoute({
    method: 'GET',
    path: '/agent-configurations',
    operation: 'agent-configurations.list',
    summary: 'List agent configurations, filtered by a search term on the name.',
    query: PageQuerySchema.extend({ q: SearchTermSchema.optional() }),
  }),
  get: defineAdminRoute({ method: 'GET', path: '/agent-configurations/:id', operation: 'agent-configurations.get', summary: 'One agent configuration.', params: IdParamsSchema }),
  create: defineAdminRoute({
    method: 'POST',
    path: '/agent-configurations',
    operation: 'agent-configurations.create',
    summary: 'Create an agent configuration; settings not given take their defaults, distribution defaults to no one.',
    body: z.strictObject({
      name: Name,
      description: Description.optional(),
      maxRunTimeSeconds: settings.maxRunTimeSeconds.optional(),
      maxResponseSizeKb: settings.maxResponseSizeKb.optional(),
      checkinFrequencyMinutes: settings.checkinFrequencyMinutes.optional(),
      onboarding: OnboardingSettingsInputSchema.optional(),
      distribution: DistributionSchema.optional(),
    }),
    successStatus: 201,
  }),
  update: defineAdminRoute({
    method: 'PATCH',
    path: '/agent-configurations/:id',
    operation: 'agent-configurations.update',
    summary: 'Edit an agent configuration; devices get the new version at their next check-in.',
    params: IdParamsSchema,
    body: z.strictObject({
      name: Name.optional(),
      description: Description.nullable().optional(),
      maxRunTimeSeconds: settings.maxRunTimeSeconds.optional(),
      maxResponseSizeKb: settings.maxResponseSizeKb.optional(),
      checkinFrequencyMinutes: settings.checkinFrequencyMinutes.optional(),
      onboarding: OnboardingSettingsInputSchema.optional(),
    }),
  }),
  distribute: defineAdminRoute({
    method: 'PUT',
    path: '/agent-configurations/:id/distribution',
    operation: 'agent-configurations.distribute',
    summary: 'Distribute to everyone, to no one, or to custom users, user groups, devices and device groups.',
    params: IdParamsSchema,
    body: DistributionSchema,
  }),
  delete: defineAdminRoute({
    method: 'DELETE',
    path: '/agent-configurations/:id',
    operation: 'agent-configurations.delete',
    summary: 'Delete an agent configuration; the system default cannot be deleted.',
    params: IdParamsSchema,
  }),
};

const agentConfigurationView = (row: AgentConfigurationsTable) => ({
  id: row.id,
  name: row.name,
  description: row.description,
  systemDefault: row.is_system_default === 1,
  ...AgentConfigSchema.parse(JSON.parse(row.settings)),
  distribution: readDistribution(row.distribution),
  version: row.version,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

type SettingsInput = Partial<Omit<AgentConfig, 'onboarding'>> & { onboarding?: Partial<AgentConfig['onboarding']> };

/** Settings with the given fields replaced; onboarding merges field by field. */
function mergeSettings(base: AgentConfig, input: SettingsInput): AgentConfig {
  return AgentConfigSchema.parse({
    maxRunTimeSeconds: input.maxRunTimeSeconds ?? base.maxRunTimeSeconds,
    maxResponseSizeKb: input.maxResponseSizeKb ?? base.maxResponseSizeKb,
    checkinFrequencyMinutes: input.checkinFrequencyMinutes ?? base.checkinFrequencyMinutes,
    onboarding: { ...base.onboarding, ...input.onboarding },
  });
}

/** Registers /agent-configurations routes on an admin-authenticated plugin scope. */
export function adminAgentConfigurationRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const find = async (id: string): Promise<AgentConfigurationsTable> => {
    const row = await agentConfigurationById(ctx.db, ctx.tenant.id, id);
    if (!row) throw notFound(`Agent configuration ${id} does not exist.`);
    return row;
  };

  /** Writes a changed row guarded by its version, and its audit entry, in one transaction. */
  const saveChange = async (request: FastifyRequest, action: string, before: AgentConfigurationsTable, after: AgentConfigurationsTable) => {
    await auditedChange(ctx.db, { at: new Date(after.updated_at), actor: adminActor(request), action, target: `agent_configuration:${before.id}`, before: agentConfigurationView(before), after: agentConfigurationView(after) }, async (trx) => {
      if (!(await updateAgentConfiguration(trx, before, after))) throw conflict(`Agent configuration ${before.name} was changed at the same time; reload it and try again.`);
    });
    return agentConfigurationView(after);
  };

  addAdminRoute(app, AGENT_CONFIGURATION_ROUTES.list, async ({ query }) => {
    const { rows, page } = await listAgentConfigurations(ctx.db, ctx.tenant.id, query.q, query);
    return { agentConfigurations: rows.map(agentConfigurationView), page };
  });

  addAdminRoute(app, AGENT_CONFIGURATION_ROUTES.get, async ({ params }) => agentConfigurationView(await find(params.id)));

  addAdminRoute(app, AGENT_CONFIGURATION_ROUTES.create, async ({ body, request }) => {
    const distribution = normaliseDistribution(body.distribution ?? NO_ONE);
    await checkDistributionTargets(ctx.db, ctx.tenant.id, distribution);
    const now = ctx.now();
    const row: AgentConfigurationsTable = {
      id: randomUUID(),
      tenant_id: ctx.tenant.id,
      name: body.name,
      description: body.description ?? null,
      is_system_default: 0,
      settings: JSON.stringify(mergeSettings(DEFAULT_AGENT_CONFIG, body)),
      distribution: JSON.stringify(distribution),
      version: 1,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    };
    await auditedChange(ctx.db, { at: now, actor: adminActor(request), action: 'agent_configuration.create', target: `agent_configuration:${row.id}`, after: agentConfigurationView(row) }, async (trx) => {
      await insertAgentConfiguration(trx, row);
    });
    return agentConfigurationView(row);
  });

  addAdminRoute(app, AGENT_CONFIGURATION_ROUTES.update, async ({ params, body, request }) => {
    const before = await find(params.id);
    const now = ctx.now().toISOString();
    return saveChange(request, 'agent_configuration.update', before, {
      ...before,
      name: body.name ?? before.name,
      description: body.description === undefined ? before.description : body.description,
      settings: JSON.stringify(mergeSettings(AgentConfigSchema.parse(JSON.parse(before.settings)), body)),
      version: before.version + 1,
      updated_at: now,
    });
  });

  addAdminRoute(app, AGENT_CONFIGURATION_ROUTES.distribute, async ({ params, body, request }) => {
    const before = await find(params.id);
    const distribution = normaliseDistribution(body);
    await checkDistributionTargets(ctx.db, ctx.tenant.id, distribution);
    // updated_at moves too: the newest-updated configuration distributed to a device is the one in effect.
    return saveChange(request, 'agent_configuration.distribute', before, {
      ...before,
      distribution: JSON.stringify(distribution),
      updated_at: ctx.now().toISOString(),
    });
  });

  addAdminRoute(app, AGENT_CONFIGURATION_ROUTES.delete, async ({ params, request }) => {
    const row = await find(params.id);
    if (row.is_system_default === 1) throw conflict('The system default agent configuration cannot be deleted; distribute it to no one instead.');
    const now = ctx.now();
    await auditedChange(ctx.db, { at: now, actor: adminActor(request), action: 'agent_configuration.delete', target: `agent_configuration:${row.id}`, before: agentConfigurationView(row) }, async (trx) => {
      await deleteAgentConfiguration(trx, row.id);
    });
    return { deleted: row.id };
  });
}
