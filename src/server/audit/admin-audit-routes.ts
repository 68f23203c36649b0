// Admin API: the audit trail, queryable by actor, action, target and time.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { addAdminRoute, defineAdminRoute, PageQuerySchema } from '../admin-api/admin-route';
import { listAuditEntries } from './audit-log';
import type { ServerContext } from '../app/server-context';

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
  addAdminRoute(app, AUDIT_ROUTES.list, async ({ query }) => listAuditEntries(ctx.db, query, query));
}
