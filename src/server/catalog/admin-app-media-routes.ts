// Admin API: an app's package, icon and screenshots, uploaded as raw bytes (streamed) and kept in the content store.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { MAX_IMAGE_BYTES, MAX_PACKAGE_BYTES, MAX_SCREENSHOTS } from '../../shared/catalog-protocol';
import { QueryInt, Text } from '../../shared/input-bounds';
import { addAdminRoute, defineAdminRoute } from '../admin-api/admin-route';
import { badRequest, conflict } from '../app/http-errors';
import type { ServerContext } from '../app/server-context';
import { screenshotsByApp, replaceScreenshots, touchApp } from './app-queries';
import { adminAppViews, findApp, saveAppChange } from './admin-app-routes';
import { dropUnusedContent, storeImage, storePackage } from './catalog-content';
import { databaseContentStore } from './content-store';
import { auditedChange } from '../audit/audit-log';
import { adminActor } from '../admin-api/admin-auth';

const AppIdParams = z.object({ id: z.string().min(1).max(64) });
const Caption = Text(200);
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');

export const APP_MEDIA_ROUTES = {
  uploadPackage: defineAdminRoute({
    method: 'PUT',
    path: '/apps/:id/package',
    operation: 'apps.upload-package',
    summary: "Upload a pkg app's package (Content-Type: application/octet-stream), streamed; devices install it from then on.",
    params: AppIdParams,
    rawBody: { maxBytes: MAX_PACKAGE_BYTES },
  }),
  uploadIcon: defineAdminRoute({
    method: 'PUT',
    path: '/apps/:id/icon',
    operation: 'apps.upload-icon',
    summary: "Upload an app's icon: a PNG, JPEG or WebP image (application/octet-stream), checked by its content.",
    params: AppIdParams,
    rawBody: { maxBytes: MAX_IMAGE_BYTES },
  }),
  addScreenshot: defineAdminRoute({
    method: 'POST',
    path: '/apps/:id/screenshots',
    operation: 'apps.add-screenshot',
    summary: 'Add a screenshot (PNG, JPEG or WebP, application/octet-stream) with a caption, at a position (0 first; default last).',
    params: AppIdParams,
    query: z.object({ caption: Caption.default(''), position: QueryInt(0, MAX_SCREENSHOTS).optional() }),
    rawBody: { maxBytes: MAX_IMAGE_BYTES },
    successStatus: 201,
  }),
  setScreenshots: defineAdminRoute({
    method: 'PUT',
    path: '/apps/:id/screenshots',
    operation: 'apps.set-screenshots',
    summary: "Reorder, recaption or remove an app's screenshots: the list names its uploaded screenshots by sha256, in the new order.",
    params: AppIdParams,
    body: z.strictObject({ screenshots: z.array(z.strictObject({ sha256: Sha256, caption: Caption })).max(MAX_SCREENSHOTS) }),
  }),
};

/** Registers the package, icon and screenshot routes of /apps on an admin-authenticated plugin scope. */
export function adminAppMediaRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const store = databaseContentStore(ctx.db, ctx.now);
  const viewOf = async (id: string) => (await adminAppViews(ctx, [await findApp(ctx, id)]))[0];

  addAdminRoute(app, APP_MEDIA_ROUTES.uploadPackage, async ({ params, rawBody, request }) => {
    const first = await findApp(ctx, params.id);
    if (first.type !== 'pkg') throw conflict(`App ${first.name} is a ${first.type} app; only pkg apps take a package.`);
    const stored = await storePackage(store, rawBody, MAX_PACKAGE_BYTES);
    // Read again: the upload may have taken minutes, and the change is guarded by the app as it is now.
    const before = await findApp(ctx, params.id);
    const after = { ...before, package_sha256: stored.sha256, package_size: stored.size, updated_at: ctx.now().toISOString() };
    try {
      await saveAppChange(ctx, request, 'app.upload_package', before, after, { sha256: stored.sha256, size: stored.size });
    } finally {
      await dropUnusedContent(ctx.db, store, [before.package_sha256, stored.sha256], []);
    }
    return viewOf(before.id);
  });

  addAdminRoute(app, APP_MEDIA_ROUTES.uploadIcon, async ({ params, rawBody, request }) => {
    await findApp(ctx, params.id);
    const icon = await storeImage(ctx.db, store, rawBody, ctx.now());
    const before = await findApp(ctx, params.id);
    try {
      await saveAppChange(ctx, request, 'app.upload_icon', before, { ...before, icon_sha256: icon.sha256, updated_at: ctx.now().toISOString() });
    } finally {
      await dropUnusedContent(ctx.db, store, [], [before.icon_sha256, icon.sha256]);
    }
    return viewOf(before.id);
  });

  /** Writes an app's new screenshot list, audited, then drops the images it no longer names. */
  const saveScreenshots = async (appId: string, actor: string, list: { sha256: string; caption: string }[], dropped: string[]) => {
    const before = await findApp(ctx, appId);
    const at = ctx.now();
    try {
      await auditedChange(ctx.db, { at, actor, action: 'app.screenshots', target: `app:${before.id}`, after: { screenshots: list } }, async (trx) => {
        await replaceScreenshots(trx, before.id, list);
        await touchApp(trx, before, at.toISOString());
      });
    } finally {
      await dropUnusedContent(ctx.db, store, [], dropped);
    }
    return viewOf(before.id);
  };

  addAdminRoute(app, APP_MEDIA_ROUTES.addScreenshot, async ({ params, query, rawBody, request }) => {
    const current = (await screenshotsByApp(ctx.db, [(await findApp(ctx, params.id)).id])).get(params.id) ?? [];
    if (current.length >= MAX_SCREENSHOTS) throw conflict(`An app has at most ${MAX_SCREENSHOTS} screenshots; remove one first.`);
    const image = await storeImage(ctx.db, store, rawBody, ctx.now());
    const list = current.map((s) => ({ sha256: s.sha256, caption: s.caption })).filter((s) => s.sha256 !== image.sha256);
    list.splice(Math.min(query.position ?? list.length, list.length), 0, { sha256: image.sha256, caption: query.caption });
    return saveScreenshots(params.id, adminActor(request), list, [image.sha256]);
  });

  addAdminRoute(app, APP_MEDIA_ROUTES.setScreenshots, async ({ params, body, request }) => {
    const row = await findApp(ctx, params.id);
    const current = (await screenshotsByApp(ctx.db, [row.id])).get(row.id) ?? [];
    const known = new Set(current.map((s) => s.sha256));
    const unknown = body.screenshots.find((s) => !known.has(s.sha256));
    if (unknown !== undefined) throw badRequest(`App ${row.name} has no screenshot ${unknown.sha256}; upload it with apps add-screenshot first.`);
    if (new Set(body.screenshots.map((s) => s.sha256)).size !== body.screenshots.length) throw badRequest('Each screenshot may be listed once.');
    return saveScreenshots(row.id, adminActor(request), body.screenshots, current.map((s) => s.sha256));
  });
}
