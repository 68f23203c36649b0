// Admin API: API tokens — created with a scope (admin or read-only), shown once, stored only as a sha256, revocable.
import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { sha256Hex } from '../../shared/node/blob-cipher';
import { ADMIN_TOKEN_SCOPES, adminActor } from './admin-auth';
import { addAdminRoute, defineAdminRoute, IdParamsSchema } from './admin-route';
import { auditedChange } from '../audit/audit-log';
import type { Db } from '../db/database';
import { conflict, notFound } from '../app/http-errors';
import type { ServerContext } from '../app/server-context';
import { insertToken, listTokens, liveAdminScopeTokenCount, markTokenRevoked, tokenById, type TokenRow } from './token-queries';

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
  const view = (r: TokenRow) => ({
    id: r.id,
    name: r.name,
    scope: r.scope,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  });

  addAdminRoute(app, TOKEN_ROUTES.list, async () => {
    return { apiTokens: (await listTokens(ctx.db)).map(view) };
  });

  addAdminRoute(app, TOKEN_ROUTES.create, async ({ body, request }) => {
    const token = `atw_${randomBytes(32).toString('base64url')}`;
    const now = ctx.now();
    const row: TokenRow = { id: randomUUID(), name: body.name, scope: body.scope, created_at: now.toISOString(), revoked_at: null };
    await auditedChange(ctx.db, { at: now, actor: adminActor(request), action: 'api_token.create', target: `api_token:${row.id}`, after: view(row) }, async (trx) => {
      await insertToken(trx, row, sha256Hex(token));
    });
    return { ...view(row), token };
  });

  addAdminRoute(app, TOKEN_ROUTES.revoke, async ({ params, request }) => {
    const now = ctx.now();
    const revoked = await auditedChange(
      ctx.db,
      ({ before, after }) => ({ at: now, actor: adminActor(request), action: 'api_token.revoke', target: `api_token:${before.id}`, before: view(before), after: view(after) }),
      async (trx: Db) => {
        const row = await tokenById(trx, params.id);
        if (!row || row.revoked_at !== null) throw notFound(`There is no live API token ${params.id}.`);
        if (row.scope === 'admin' && (await liveAdminScopeTokenCount(trx)) <= 1) {
          throw conflict('This is the last live admin-scope token; create another before revoking it, or no one could administer the server.');
        }
        await markTokenRevoked(trx, row.id, now);
        return { before: row, after: { ...row, revoked_at: now.toISOString() } };
      },
    );
    return view(revoked.after);
  });
}
