// Admin API: API tokens — created with a scope (admin or read-only), shown once, stored only as a sha256, revocable.
import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { sha256Hex } from '../shared/blob-cipher';
import { ADMIN_TOKEN_SCOPES, adminActor } from './admin-auth';
import { addAdminRoute, defineAdminRoute, IdParamsSchema } from './admin-route';
import { recordAudit } from './audit-log';
import { conflict, notFound } from './http-errors';
import type { ServerContext } from './server-context';

export const TOKEN_ROUTES = {
  list: defineAdminRoute({ method: 'GET', path: '/api-tokens', operation: 'api-tokens.list', summary: 'List API tokens (never the tokens themselves).' }),
  create: defineAdminRoute({
    method: 'POST',
    path: '/api-tokens',
    operation: 'api-tokens.create',
    summary: 'Create an API token; the token is in this answer only.',
    body: z.strictObject({ name: z.string().trim().min(1).max(200), scope: z.enum(ADMIN_TOKEN_SCOPES) }),
    successStatus: 201,
  }),
  revoke: defineAdminRoute({
    method: 'DELETE',
    path: '/api-tokens/:id',
    operation: 'api-tokens.revoke',
    summary: 'Revoke an API token at once; the last live admin-scope token cannot be revoked.',
    params: IdParamsSchema,
  }),
};

/** Registers /api-tokens routes on an admin-authenticated plugin scope. */
export function adminTokenRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const view = (r: { id: string; name: string; scope: string; created_at: string; revoked_at: string | null }) => ({
    id: r.id,
    name: r.name,
    scope: r.scope,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  });

  addAdminRoute(app, TOKEN_ROUTES.list, async () => {
    const rows = await ctx.db.selectFrom('admin_tokens').select(['id', 'name', 'scope', 'created_at', 'revoked_at']).orderBy('created_at').execute();
    return { apiTokens: rows.map(view) };
  });

  addAdminRoute(app, TOKEN_ROUTES.create, async ({ body, request }) => {
    const token = `atw_${randomBytes(32).toString('base64url')}`;
    const now = ctx.now();
    const row = { id: randomUUID(), name: body.name, scope: body.scope, created_at: now.toISOString(), revoked_at: null };
    await ctx.db.transaction().execute(async (trx) => {
      await trx.insertInto('admin_tokens').values({ ...row, token_sha256: sha256Hex(token) }).execute();
      await recordAudit(trx, { actor: adminActor(request), action: 'api_token.create', target: `api_token:${row.id}`, after: view(row) }, now);
    });
    return { ...view(row), token };
  });

  addAdminRoute(app, TOKEN_ROUTES.revoke, async ({ params, request }) => {
    const now = ctx.now();
    return ctx.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('admin_tokens').select(['id', 'name', 'scope', 'created_at', 'revoked_at']).where('id', '=', params.id).executeTakeFirst();
      if (!row || row.revoked_at !== null) throw notFound(`There is no live API token ${params.id}.`);
      if (row.scope === 'admin') {
        const live = await trx.selectFrom('admin_tokens').select((eb) => eb.fn.countAll().as('n')).where('scope', '=', 'admin').where('revoked_at', 'is', null).executeTakeFirstOrThrow();
        if (Number(live.n) <= 1) throw conflict('This is the last live admin-scope token; create another before revoking it, or no one could administer the server.');
      }
      await trx.updateTable('admin_tokens').set({ revoked_at: now.toISOString() }).where('id', '=', row.id).execute();
      const after = { ...row, revoked_at: now.toISOString() };
      await recordAudit(trx, { actor: adminActor(request), action: 'api_token.revoke', target: `api_token:${row.id}`, before: view(row), after: view(after) }, now);
      return view(after);
    });
  });
}
