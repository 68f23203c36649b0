// Admin API: the audit trail, queryable by actor, action, target and time.
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { addAdminRoute, defineAdminRoute, escapeLike, PageQuerySchema } from './admin-route';
import type { ServerContext } from './server-context';

const IsoInstant = z.iso.datetime({ offset: true });

export const AUDIT_ROUTES = {
  list: defineAdminRoute({
    method: 'GET',
    path: '/audit-log',
    operation: 'audit.list',
    summary: 'Audit entries, newest first: every admin change with before/after, and every script result a device reported.',
    query: PageQuerySchema.extend({
      actor: z.string().max(200).optional(),
      action: z.string().max(100).optional(),
      /** A prefix such as `script.` or `script_result.` */
      actionPrefix: z.string().max(100).optional(),
      target: z.string().max(200).optional(),
      since: IsoInstant.optional(),
      until: IsoInstant.optional(),
    }),
  }),
};

/** Registers /audit-log on an admin-authenticated plugin scope. */
export function adminAuditRoutes(app: FastifyInstance, ctx: ServerContext): void {
  addAdminRoute(app, AUDIT_ROUTES.list, async ({ query }) => {
    let base = ctx.db.selectFrom('audit_log');
    if (query.actor !== undefined) base = base.where('actor', '=', query.actor);
    if (query.action !== undefined) base = base.where('action', '=', query.action);
    if (query.actionPrefix !== undefined) base = base.where(sql<boolean>`${sql.ref('action')} like ${`${escapeLike(query.actionPrefix)}%`} escape '\\'`);
    if (query.target !== undefined) base = base.where('target', '=', query.target);
    if (query.since !== undefined) base = base.where('at', '>=', new Date(query.since).toISOString());
    if (query.until !== undefined) base = base.where('at', '<', new Date(query.until).toISOString());
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('at', 'desc').orderBy('id').limit(query.limit).offset(query.offset).execute(),
      base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
    ]);
    return {
      entries: rows.map((r) => {
        const { before, after, ...details } = JSON.parse(r.details) as Record<string, unknown>;
        return { id: r.id, at: r.at, actor: r.actor, action: r.action, target: r.target, before: before ?? null, after: after ?? null, details };
      }),
      page: { limit: query.limit, offset: query.offset, total: Number(count.n) },
    };
  });
}
