// Admin API: All Scripts. Each script version's body is stored sealed (AES-256-GCM) as a blob that devices download.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { openBlob, sealBlob, sha256Hex } from '../shared/blob-cipher';
import { InterpreterSchema } from '../shared/script-result';
import { adminActor } from './admin-auth';
import { recordAudit } from './audit-log';
import type { ScriptsTable } from './database';
import { notFound, parseInput } from './http-errors';
import type { ServerContext } from './server-context';

export const MAX_SCRIPT_BODY_BYTES = 1024 * 1024;

const CreateScriptSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  type: InterpreterSchema,
  runAsRoot: z.boolean().default(false),
  body: z
    .string()
    .min(1)
    .refine((s) => Buffer.byteLength(s, 'utf8') <= MAX_SCRIPT_BODY_BYTES, { message: 'the script body must be at most 1 MB' }),
  description: z.string().max(2000).optional(),
});
const IdParamsSchema = z.object({ id: z.string() });

const scriptView = (s: ScriptsTable) => ({
  id: s.id,
  name: s.name,
  type: s.type,
  runAsRoot: s.run_as_root === 1,
  description: s.description,
  version: s.latest_version,
  createdAt: s.created_at,
  updatedAt: s.updated_at,
});

/** Registers /scripts routes on an admin-authenticated plugin scope. */
export function adminScriptRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/scripts', async () => {
    const rows = await ctx.db.selectFrom('scripts').selectAll().where('tenant_id', '=', ctx.tenant.id).orderBy('name').execute();
    return { scripts: rows.map(scriptView) };
  });

  app.get('/scripts/:id', async (request) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'script id');
    const script = await ctx.db.selectFrom('scripts').selectAll().where('id', '=', id).where('tenant_id', '=', ctx.tenant.id).executeTakeFirst();
    if (!script) throw notFound(`Script ${id} does not exist.`);
    const blob = await ctx.db
      .selectFrom('script_versions as sv')
      .innerJoin('blobs as b', 'b.id', 'sv.blob_id')
      .select(['b.bytes', 'b.content_key'])
      .where('sv.script_id', '=', id)
      .where('sv.version', '=', script.latest_version)
      .executeTakeFirstOrThrow();
    return { ...scriptView(script), body: openBlob(Buffer.from(blob.bytes), blob.content_key).toString('utf8') };
  });

  // A 1 MB script body grows when JSON-escaped, so this route alone accepts more than the global 1 MB body limit.
  app.post('/scripts', { bodyLimit: 4 * MAX_SCRIPT_BODY_BYTES }, async (request, reply) => {
    const body = parseInput(CreateScriptSchema, request.body, 'body');
    const at = ctx.now();
    const now = at.toISOString();
    const sealed = sealBlob(Buffer.from(body.body, 'utf8'));
    const script: ScriptsTable = {
      id: randomUUID(),
      tenant_id: ctx.tenant.id,
      name: body.name,
      type: body.type,
      run_as_root: body.runAsRoot ? 1 : 0,
      description: body.description ?? null,
      latest_version: 1,
      created_at: now,
      updated_at: now,
    };
    const blobId = randomUUID();
    await ctx.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('blobs')
        .values({ id: blobId, bytes: sealed.blob, sha256: sealed.sha256, size: sealed.blob.length, content_key: sealed.key, created_at: now })
        .execute();
      await trx.insertInto('scripts').values(script).execute();
      await trx.insertInto('script_versions').values({ script_id: script.id, version: 1, blob_id: blobId, created_at: now }).execute();
      await recordAudit(
        trx,
        {
          actor: adminActor(request),
          action: 'script.create',
          target: `script:${script.id}`,
          details: { name: script.name, type: script.type, runAsRoot: body.runAsRoot, version: 1, bodySha256: sha256Hex(body.body) },
        },
        at,
      );
    });
    return reply.code(201).send(scriptView(script));
  });
}
