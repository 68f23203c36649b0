// Admin API: script configurations (a script version + schedule + variables) and their distribution.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ScheduleSpecSchema } from '../shared/schedule';
import { TicketClaimsSchema } from '../shared/ticket';
import { adminActor } from './admin-auth';
import { recordAudit } from './audit-log';
import type { ScriptConfigurationsTable } from './database';
import { DistributionSchema, NO_ONE, readDistribution } from './distribution';
import { notFound, parseInput } from './http-errors';
import type { ServerContext } from './server-context';

/** Variables travel inside every ticket, which the agent caps at 64 KB; this leaves room for the rest of it. */
const MAX_VARIABLES_JSON_BYTES = 16 * 1024;

const CreateScriptConfigurationSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  scriptId: z.string().max(64),
  scriptVersion: z.number().int().min(1).optional(),
  schedule: ScheduleSpecSchema,
  variables: TicketClaimsSchema.shape.variables
    .refine((v) => Buffer.byteLength(JSON.stringify(v)) <= MAX_VARIABLES_JSON_BYTES, {
      message: 'variables must total at most 16 KB',
    })
    .optional(),
  distribution: DistributionSchema.optional(),
});
const IdParamsSchema = z.object({ id: z.string() });

const scriptConfigurationView = (row: ScriptConfigurationsTable) => ({
  id: row.id,
  name: row.name,
  scriptId: row.script_id,
  scriptVersion: row.script_version,
  schedule: JSON.parse(row.schedule) as unknown,
  variables: JSON.parse(row.variables) as unknown,
  distribution: readDistribution(row.distribution),
  version: row.version,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Registers /script-configurations routes on an admin-authenticated plugin scope. */
export function adminScriptConfigurationRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/script-configurations', async () => {
    const rows = await ctx.db
      .selectFrom('script_configurations')
      .selectAll()
      .where('tenant_id', '=', ctx.tenant.id)
      .orderBy('created_at')
      .execute();
    return { scriptConfigurations: rows.map(scriptConfigurationView) };
  });

  app.post('/script-configurations', async (request, reply) => {
    const body = parseInput(CreateScriptConfigurationSchema, request.body, 'body');
    const now = ctx.now();
    const script = await ctx.db
      .selectFrom('scripts')
      .select(['id', 'latest_version'])
      .where('id', '=', body.scriptId)
      .where('tenant_id', '=', ctx.tenant.id)
      .executeTakeFirst();
    if (!script) throw notFound(`Script ${body.scriptId} does not exist.`);
    const scriptVersion = body.scriptVersion ?? script.latest_version;
    if (scriptVersion > script.latest_version) throw notFound(`Script ${body.scriptId} has no version ${scriptVersion}.`);
    const row: ScriptConfigurationsTable = {
      id: randomUUID(),
      tenant_id: ctx.tenant.id,
      name: body.name,
      script_id: script.id,
      script_version: scriptVersion,
      schedule: JSON.stringify(body.schedule),
      variables: JSON.stringify(body.variables ?? {}),
      distribution: JSON.stringify(body.distribution ?? NO_ONE),
      version: 1,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    };
    await ctx.db.transaction().execute(async (trx) => {
      await trx.insertInto('script_configurations').values(row).execute();
      // Variable names only: values may be secrets.
      await recordAudit(
        trx,
        {
          actor: adminActor(request),
          action: 'script_configuration.create',
          target: `script_configuration:${row.id}`,
          details: { name: row.name, scriptId: row.script_id, scriptVersion, schedule: body.schedule, variableNames: Object.keys(body.variables ?? {}), distribution: body.distribution ?? NO_ONE },
        },
        now,
      );
    });
    return reply.code(201).send(scriptConfigurationView(row));
  });

  app.put('/script-configurations/:id/distribution', async (request) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'script configuration id');
    const distribution = parseInput(DistributionSchema, request.body, 'body');
    const now = ctx.now();
    const row = await ctx.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('script_configurations')
        .set({ distribution: JSON.stringify(distribution), updated_at: now.toISOString() })
        .where('id', '=', id)
        .where('tenant_id', '=', ctx.tenant.id)
        .returningAll()
        .executeTakeFirst();
      if (!updated) throw notFound(`Script configuration ${id} does not exist.`);
      await recordAudit(
        trx,
        { actor: adminActor(request), action: 'script_configuration.distribute', target: `script_configuration:${id}`, details: { distribution } },
        now,
      );
      return updated;
    });
    return scriptConfigurationView(row);
  });
}
