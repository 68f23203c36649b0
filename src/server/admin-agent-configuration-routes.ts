// Admin API: agent ("Mobile@Work for macOS") configurations and their distribution (DESIGN.md §6).
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AgentConfigSchema, DEFAULT_AGENT_CONFIG, OnboardingSettingsSchema } from '../shared/agent-config';
import { adminActor } from './admin-auth';
import { recordAudit } from './audit-log';
import type { AgentConfigurationsTable } from './database';
import { DistributionSchema, NO_ONE, readDistribution } from './distribution';
import { notFound, parseInput } from './http-errors';
import type { ServerContext } from './server-context';

const settings = AgentConfigSchema.shape;
const CreateAgentConfigurationSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).optional(),
  maxRunTimeSeconds: settings.maxRunTimeSeconds.optional(),
  maxResponseSizeKb: settings.maxResponseSizeKb.optional(),
  checkinFrequencyMinutes: settings.checkinFrequencyMinutes.optional(),
  onboarding: OnboardingSettingsSchema.optional(),
  distribution: DistributionSchema.optional(),
});
const IdParamsSchema = z.object({ id: z.string() });

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

/** Registers /agent-configurations routes on an admin-authenticated plugin scope. */
export function adminAgentConfigurationRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/agent-configurations', async () => {
    const rows = await ctx.db
      .selectFrom('agent_configurations')
      .selectAll()
      .where('tenant_id', '=', ctx.tenant.id)
      .orderBy('created_at')
      .execute();
    return { agentConfigurations: rows.map(agentConfigurationView) };
  });

  app.post('/agent-configurations', async (request, reply) => {
    const body = parseInput(CreateAgentConfigurationSchema, request.body, 'body');
    const now = ctx.now();
    const row: AgentConfigurationsTable = {
      id: randomUUID(),
      tenant_id: ctx.tenant.id,
      name: body.name,
      description: body.description ?? null,
      is_system_default: 0,
      settings: JSON.stringify({
        maxRunTimeSeconds: body.maxRunTimeSeconds ?? DEFAULT_AGENT_CONFIG.maxRunTimeSeconds,
        maxResponseSizeKb: body.maxResponseSizeKb ?? DEFAULT_AGENT_CONFIG.maxResponseSizeKb,
        checkinFrequencyMinutes: body.checkinFrequencyMinutes ?? DEFAULT_AGENT_CONFIG.checkinFrequencyMinutes,
        onboarding: body.onboarding ?? DEFAULT_AGENT_CONFIG.onboarding,
      }),
      distribution: JSON.stringify(body.distribution ?? NO_ONE),
      version: 1,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    };
    await ctx.db.transaction().execute(async (trx) => {
      await trx.insertInto('agent_configurations').values(row).execute();
      await recordAudit(
        trx,
        { actor: adminActor(request), action: 'agent_configuration.create', target: `agent_configuration:${row.id}`, details: { name: row.name, settings: JSON.parse(row.settings), distribution: JSON.parse(row.distribution) } },
        now,
      );
    });
    return reply.code(201).send(agentConfigurationView(row));
  });

  app.put('/agent-configurations/:id/distribution', async (request) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'agent configuration id');
    const distribution = parseInput(DistributionSchema, request.body, 'body');
    const now = ctx.now();
    const row = await ctx.db.transaction().execute(async (trx) => {
      // updated_at moves too: the newest-updated configuration distributed to a device is the one in effect.
      const updated = await trx
        .updateTable('agent_configurations')
        .set({ distribution: JSON.stringify(distribution), updated_at: now.toISOString() })
        .where('id', '=', id)
        .where('tenant_id', '=', ctx.tenant.id)
        .returningAll()
        .executeTakeFirst();
      if (!updated) throw notFound(`Agent configuration ${id} does not exist.`);
      await recordAudit(
        trx,
        { actor: adminActor(request), action: 'agent_configuration.distribute', target: `agent_configuration:${id}`, details: { distribution } },
        now,
      );
      return updated;
    });
    return agentConfigurationView(row);
  });
}
