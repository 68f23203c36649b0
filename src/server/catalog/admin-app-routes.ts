// Admin API: Apps@Work apps — their details, distribution and reviews; their package and images are in admin-app-media-routes.ts.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppPrioritySchema, AppTypeSchema } from '../../shared/catalog-protocol';
import { Text } from '../../shared/input-bounds';
import { adminActor } from '../admin-api/admin-auth';
import { addAdminRoute, defineAdminRoute, IdParamsSchema, PageQuerySchema, SearchTermSchema } from '../admin-api/admin-route';
import { conflict, notFound } from '../app/http-errors';
import type { ServerContext } from '../app/server-context';
import { auditedChange } from '../audit/audit-log';
import { checkDistributionTargets, DistributionSchema, NO_ONE, normaliseDistribution } from '../configurations/distribution';
import { appById, deleteApp, imagesBySha256, insertApp, listApps, screenshotsByApp, updateApp, type AppRow } from './app-queries';
import { adminAppView, auditAppView } from './app-views';
import { dropUnusedContent } from './catalog-content';
import { databaseContentStore } from './content-store';
import { installedCounts } from './install-report-queries';
import { listReviews, reviewById, reviewView, setReviewHidden } from './review-queries';

const Name = Text(200).trim().min(1);
const BundleId = z.string().max(200).regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/, 'a bundle id has letters, digits, dots and hyphens, e.g. com.example.app');
const AppFields = {
  name: Name,
  bundleId: BundleId,
  version: Text(50).trim().min(1),
  publisher: Text(200).trim().min(1),
  category: Text(100).trim().min(1),
  shortDescription: Text(300),
  description: Text(10_000),
  type: AppTypeSchema,
  priority: AppPrioritySchema,
  featured: z.boolean(),
  silentInstall: z.boolean(),
  removeOnUnenrollment: z.boolean(),
};
const AppIdParams = z.object({ id: z.string().min(1).max(64) });

export const APP_ROUTES = {
  list: defineAdminRoute({
    method: 'GET',
    path: '/apps',
    operation: 'apps.list',
    summary:
      'List Apps@Work apps by name, filtered by a search term (name, bundle id, publisher), category or type; installedCount is how many active devices have each installed (latest install report, else the inventory lists its bundle id).',
    query: PageQuerySchema.extend({ q: SearchTermSchema.optional(), category: Text(100).optional(), type: AppTypeSchema.optional() }),
  }),
  get: defineAdminRoute({
    method: 'GET',
    path: '/apps/:id',
    operation: 'apps.get',
    summary: 'One app with its icon, screenshots, package, distribution and installedCount (active devices whose latest install report, else inventory, says installed).',
    params: IdParamsSchema,
  }),
  create: defineAdminRoute({
    method: 'POST',
    path: '/apps',
    operation: 'apps.create',
    summary: 'Add an app to Apps@Work; upload its package, icon and screenshots next. Distribution defaults to no one.',
    body: z.strictObject({
      ...AppFields,
      shortDescription: AppFields.shortDescription.default(''),
      description: AppFields.description.default(''),
      priority: AppFields.priority.default('normal'),
      featured: AppFields.featured.default(false),
      silentInstall: AppFields.silentInstall.default(false),
      removeOnUnenrollment: AppFields.removeOnUnenrollment.default(false),
      distribution: DistributionSchema.optional(),
    }),
    successStatus: 201,
  }),
  update: defineAdminRoute({
    method: 'PATCH',
    path: '/apps/:id',
    operation: 'apps.update',
    summary: "Edit an app's details; devices see them at their next catalog read.",
    params: AppIdParams,
    body: z.strictObject(AppFields).partial(),
  }),
  distribute: defineAdminRoute({
    method: 'PUT',
    path: '/apps/:id/distribution',
    operation: 'apps.distribute',
    summary: 'Distribute an app to everyone, to no one, or to custom users, user groups, devices and device groups.',
    params: AppIdParams,
    body: DistributionSchema,
  }),
  delete: defineAdminRoute({
    method: 'DELETE',
    path: '/apps/:id',
    operation: 'apps.delete',
    summary: 'Delete an app with its screenshots, reviews and install reports; its package and images go unless another app uses them.',
    params: AppIdParams,
  }),
  reviews: defineAdminRoute({
    method: 'GET',
    path: '/apps/:id/reviews',
    operation: 'apps.reviews',
    summary: "An app's reviews, newest first, hidden ones included and marked.",
    params: AppIdParams,
    query: PageQuerySchema,
  }),
  hideReview: defineAdminRoute({
    method: 'PUT',
    path: '/apps/:id/reviews/:reviewId/hidden',
    operation: 'apps.hide-review',
    summary: 'Hide a review from devices and from the rating (hidden: true), or show it again (hidden: false).',
    params: z.object({ id: z.string().min(1).max(64), reviewId: z.string().min(1).max(64) }),
    body: z.strictObject({ hidden: z.boolean() }),
  }),
};

/** The app of this tenant with this id, or a 404. */
export async function findApp(ctx: ServerContext, id: string): Promise<AppRow> {
  const app = await appById(ctx.db, ctx.tenant.id, id);
  if (!app) throw notFound(`App ${id} does not exist.`);
  return app;
}

/** The administrator's views of these apps, with their icons and screenshots and how many devices have each installed. */
export async function adminAppViews(ctx: ServerContext, apps: AppRow[]) {
  const [icons, screenshots, installed] = await Promise.all([
    imagesBySha256(ctx.db, apps.flatMap((a) => (a.icon_sha256 === null ? [] : [a.icon_sha256]))),
    screenshotsByApp(ctx.db, apps.map((a) => a.id)),
    installedCounts(ctx.db, ctx.tenant.id, apps),
  ]);
  return apps.map((a) => ({
    ...adminAppView(a, { icon: a.icon_sha256 === null ? null : (icons.get(a.icon_sha256) ?? null), screenshots: screenshots.get(a.id) ?? [] }),
    installedCount: installed.get(a.id) ?? 0,
  }));
}

/** Writes an edited app with its audit entry; a concurrent edit of the same app is a 409. */
export async function saveAppChange(ctx: ServerContext, request: FastifyRequest, action: string, before: AppRow, after: AppRow, details?: Record<string, unknown>): Promise<void> {
  const audit = { at: new Date(after.updated_at), actor: adminActor(request), action, target: `app:${before.id}`, details, before: auditAppView(before), after: auditAppView(after) };
  await auditedChange(ctx.db, audit, async (trx) => {
    if (!(await updateApp(trx, before, after))) throw conflict(`App ${before.name} was changed at the same time; reload it and try again.`);
  });
}

/** Registers /apps routes on an admin-authenticated plugin scope. */
export function adminAppRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const store = databaseContentStore(ctx.db, ctx.now);
  const viewOf = async (row: AppRow) => (await adminAppViews(ctx, [row]))[0];

  addAdminRoute(app, APP_ROUTES.list, async ({ query }) => {
    const { rows, page } = await listApps(ctx.db, ctx.tenant.id, query, query);
    return { apps: await adminAppViews(ctx, rows), page };
  });

  addAdminRoute(app, APP_ROUTES.get, async ({ params }) => viewOf(await findApp(ctx, params.id)));

  addAdminRoute(app, APP_ROUTES.create, async ({ body, request }) => {
    const distribution = normaliseDistribution(body.distribution ?? NO_ONE);
    await checkDistributionTargets(ctx.db, ctx.tenant.id, distribution);
    const now = ctx.now();
    const row: AppRow = {
      id: randomUUID(),
      tenant_id: ctx.tenant.id,
      name: body.name,
      bundle_id: body.bundleId,
      version: body.version,
      publisher: body.publisher,
      category: body.category,
      short_description: body.shortDescription,
      description: body.description,
      type: body.type,
      priority: body.priority,
      featured: body.featured ? 1 : 0,
      silent_install: body.silentInstall ? 1 : 0,
      remove_on_unenrollment: body.removeOnUnenrollment ? 1 : 0,
      distribution: JSON.stringify(distribution),
      icon_sha256: null,
      package_sha256: null,
      package_size: null,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    };
    await auditedChange(ctx.db, { at: now, actor: adminActor(request), action: 'app.create', target: `app:${row.id}`, after: auditAppView(row) }, async (trx) => {
      await insertApp(trx, row);
    });
    return viewOf(row);
  });

  addAdminRoute(app, APP_ROUTES.update, async ({ params, body, request }) => {
    const before = await findApp(ctx, params.id);
    const flag = (value: boolean | undefined, was: number) => (value === undefined ? was : value ? 1 : 0);
    const after: AppRow = {
      ...before,
      name: body.name ?? before.name,
      bundle_id: body.bundleId ?? before.bundle_id,
      version: body.version ?? before.version,
      publisher: body.publisher ?? before.publisher,
      category: body.category ?? before.category,
      short_description: body.shortDescription ?? before.short_description,
      description: body.description ?? before.description,
      type: body.type ?? before.type,
      priority: body.priority ?? before.priority,
      featured: flag(body.featured, before.featured),
      silent_install: flag(body.silentInstall, before.silent_install),
      remove_on_unenrollment: flag(body.removeOnUnenrollment, before.remove_on_unenrollment),
      updated_at: ctx.now().toISOString(),
    };
    await saveAppChange(ctx, request, 'app.update', before, after);
    return viewOf(after);
  });

  addAdminRoute(app, APP_ROUTES.distribute, async ({ params, body, request }) => {
    const before = await findApp(ctx, params.id);
    const distribution = normaliseDistribution(body);
    await checkDistributionTargets(ctx.db, ctx.tenant.id, distribution);
    const after = { ...before, distribution: JSON.stringify(distribution), updated_at: ctx.now().toISOString() };
    await saveAppChange(ctx, request, 'app.distribute', before, after);
    return viewOf(after);
  });

  addAdminRoute(app, APP_ROUTES.delete, async ({ params, request }) => {
    const row = await findApp(ctx, params.id);
    const screenshots = (await screenshotsByApp(ctx.db, [row.id])).get(row.id) ?? [];
    await auditedChange(ctx.db, { at: ctx.now(), actor: adminActor(request), action: 'app.delete', target: `app:${row.id}`, before: auditAppView(row) }, async (trx) => {
      await deleteApp(trx, row);
    });
    await dropUnusedContent(ctx.db, store, [row.package_sha256], [row.icon_sha256, ...screenshots.map((s) => s.sha256)]);
    return { deleted: row.id };
  });

  addAdminRoute(app, APP_ROUTES.reviews, async ({ params, query }) => {
    const row = await findApp(ctx, params.id);
    const { rows, page } = await listReviews(ctx.db, row.id, true, query);
    return { reviews: rows.map((r) => ({ ...reviewView(r), userId: r.user_id, hidden: r.hidden === 1 })), page };
  });

  addAdminRoute(app, APP_ROUTES.hideReview, async ({ params, body, request }) => {
    const row = await findApp(ctx, params.id);
    const review = await reviewById(ctx.db, row.id, params.reviewId);
    if (!review) throw notFound(`App ${row.name} has no review ${params.reviewId}.`);
    const view = { ...reviewView(review), userId: review.user_id, hidden: review.hidden === 1 };
    const audit = { at: ctx.now(), actor: adminActor(request), action: body.hidden ? 'app.review_hide' : 'app.review_show', target: `app:${row.id}`, details: { reviewId: review.id }, before: view, after: { ...view, hidden: body.hidden } };
    await auditedChange(ctx.db, audit, async (trx) => {
      await setReviewHidden(trx, review.id, body.hidden);
    });
    return { ...view, hidden: body.hidden };
  });
}
