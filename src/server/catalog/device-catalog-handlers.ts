// Apps@Work on the device API: the catalog a device sees (only what is distributed to it), reviews, package tickets and downloads, install reports, images.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  CATALOG_PATH,
  type AppDetails,
  type CatalogPage,
  type CatalogQuery,
  type InstallReport,
  type Review,
  type ReviewInput,
  type ReviewPage,
} from '../../shared/catalog-protocol';
import { catalogSearchTerm, matchesCatalogSearch } from '../../shared/catalog-search';
import type { DeviceEvent } from '../../shared/protocol';
import { conflict, HttpError, notFound } from '../app/http-errors';
import type { ServerContext } from '../app/server-context';
import { distributionTarget, type DeviceRef } from '../configurations/device-assignments';
import { includesDevice, readDistribution } from '../configurations/distribution';
import { insertDeviceEvent } from '../device-api/device-report-queries';
import { appById, appsByIds, imagesBySha256, screenshotsByApp, servableImage, type AppRow } from './app-queries';
import { appDetails, appPackage, appSummary } from './app-views';
import { answerRange } from './byte-ranges';
import { catalogFilterCache, type CatalogFilterApp } from './catalog-filter-cache';
import { databaseContentStore } from './content-store';
import { IMAGE_CONTENT_TYPES } from './image-checks';
import { installStates, upsertInstallReport } from './install-report-queries';
import { issuePackageTicket } from './package-tickets';
import { listReviews, ratingSummaries, reviewOfUser, reviewView, saveReview } from './review-queries';

const NOT_IN_CATALOG = "There is no such app in this device's catalog.";
export const NO_USER_TO_REVIEW = 'This Mac has no user assigned, so it cannot review apps; ask your administrator to assign it a user.';
/** The most categories a catalog page lists (CatalogPageSchema). */
const MAX_CATEGORIES = 200;

/** The apps distributed to the device, by name, with what the catalog filters by. */
async function distributedApps(ctx: ServerContext, device: DeviceRef): Promise<CatalogFilterApp[]> {
  const [apps, target] = await Promise.all([catalogFilterCache(ctx.db).apps(device.tenantId), distributionTarget(ctx.db, device)]);
  return apps.filter((a) => includesDevice(a.distribution, target));
}

/** The app if it is distributed to the device; another tenant's, an unknown and an undistributed app answer the same 404. */
async function distributedApp(ctx: ServerContext, device: DeviceRef, appId: string): Promise<AppRow> {
  const [app, target] = await Promise.all([appById(ctx.db, device.tenantId, appId), distributionTarget(ctx.db, device)]);
  if (app === undefined || !includesDevice(readDistribution(app.distribution), target)) throw notFound(NOT_IN_CATALOG);
  return app;
}

/** The app's package when it is a pkg app with one uploaded, else the 404 of an app with nothing to install. */
function installablePackage(app: AppRow): { sha256: string; size: number } {
  const pkg = app.type === 'pkg' ? appPackage(app) : null;
  if (pkg === null) throw notFound(`${app.name} has no package to install from this server.`);
  return pkg;
}


function matches(app: CatalogFilterApp, term: string, category: string | undefined): boolean {
  if (category !== undefined && app.category !== category) return false;
  return matchesCatalogSearch(app.searchText, term);
}

export async function catalogPage(ctx: ServerContext, device: DeviceRef, query: CatalogQuery): Promise<CatalogPage> {
  const term = catalogSearchTerm(query.search);
  const apps = await distributedApps(ctx, device);
  const found = apps.filter((a) => matches(a, term, query.category));
  const ids = found.slice(query.offset, query.offset + query.limit).map((a) => a.id);
  const page = await appsByIds(ctx.db, device.tenantId, ids);
  const [icons, ratings, states] = await Promise.all([
    imagesBySha256(ctx.db, page.flatMap((a) => (a.icon_sha256 === null ? [] : [a.icon_sha256]))),
    ratingSummaries(ctx.db, ids),
    installStates(ctx.db, device.id, page),
  ]);
  return {
    apps: page.map((a) =>
      appSummary(a, {
        icon: a.icon_sha256 === null ? null : (icons.get(a.icon_sha256) ?? null),
        rating: ratings.get(a.id)!,
        installState: states.get(a.id)?.state ?? 'not_installed',
      }),
    ),
    page: { limit: query.limit, offset: query.offset, total: found.length },
    categories: [...new Set(apps.map((a) => a.category))].sort((x, y) => x.localeCompare(y)).slice(0, MAX_CATEGORIES),
  };
}

export async function catalogAppDetails(ctx: ServerContext, device: DeviceRef, appId: string): Promise<AppDetails> {
  const app = await distributedApp(ctx, device, appId);
  const [icons, screenshots, ratings, states, mine] = await Promise.all([
    imagesBySha256(ctx.db, app.icon_sha256 === null ? [] : [app.icon_sha256]),
    screenshotsByApp(ctx.db, [app.id]),
    ratingSummaries(ctx.db, [app.id]),
    installStates(ctx.db, device.id, [app]),
    device.userId === null ? undefined : reviewOfUser(ctx.db, app.id, device.userId),
  ]);
  const state = states.get(app.id);
  return appDetails(app, {
    icon: app.icon_sha256 === null ? null : (icons.get(app.icon_sha256) ?? null),
    rating: ratings.get(app.id)!,
    installState: state?.state ?? 'not_installed',
    screenshots: screenshots.get(app.id) ?? [],
    myReview: mine === undefined ? null : reviewView(mine),
    installMessage: state?.message ?? null,
  });
}

export async function catalogReviews(ctx: ServerContext, device: DeviceRef, appId: string, page: { limit: number; offset: number }): Promise<ReviewPage> {
  const app = await distributedApp(ctx, device, appId);
  const { rows, page: answered } = await listReviews(ctx.db, app.id, false, page);
  return { reviews: rows.map(reviewView), page: answered };
}

/** The device's enrolled user's one review of the app, written or replaced; a device without a user has no one to write it. */
export async function putReview(ctx: ServerContext, device: DeviceRef, appId: string, input: ReviewInput): Promise<Review> {
  const app = await distributedApp(ctx, device, appId);
  const { userId } = device;
  if (userId === null) throw conflict(NO_USER_TO_REVIEW);
  await saveReview(ctx.db, app.id, userId, { rating: input.rating, title: input.title.trim(), text: input.text.trim() }, ctx.now().toISOString());
  const saved = await reviewOfUser(ctx.db, app.id, userId);
  if (saved === undefined) throw new Error(`review of app ${app.id} by user ${userId} vanished after it was saved`);
  return reviewView(saved);
}

export async function installTicket(ctx: ServerContext, device: DeviceRef, appId: string): Promise<{ ticket: string }> {
  const app = await distributedApp(ctx, device, appId);
  const pkg = installablePackage(app);
  const now = ctx.now();
  // Read per ticket: a rotation or revocation by any replica applies to the very next one.
  const signer = await ctx.tenant.keyring.currentSigner(now);
  const ticket = await issuePackageTicket(
    {
      deviceId: device.id,
      appId: app.id,
      name: app.name,
      version: app.version,
      bundleId: app.bundle_id,
      package: { path: `${CATALOG_PATH}/apps/${app.id}/package`, sha256: pkg.sha256, size: pkg.size },
      silentInstall: app.silent_install === 1,
    },
    signer,
    now,
  );
  return { ticket };
}

/** Streams the package, or the one byte range asked for: 206 with Content-Range, or 416 past its end. */
export async function sendPackage(ctx: ServerContext, device: DeviceRef, appId: string, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const pkg = installablePackage(await distributedApp(ctx, device, appId));
  const answer = answerRange(request.headers.range, pkg.size);
  if (answer.kind === 'unsatisfiable') {
    throw new HttpError(416, 'range_not_satisfiable', `The package is ${pkg.size} bytes; ask for a range that starts before its end.`, {
      'accept-ranges': 'bytes',
      'content-range': `bytes */${pkg.size}`,
    });
  }
  void reply.header('accept-ranges', 'bytes').header('etag', `"${pkg.sha256}"`).type('application/octet-stream');
  const store = databaseContentStore(ctx.db, ctx.now);
  if (answer.kind === 'whole') return reply.header('content-length', String(pkg.size)).send(Readable.from(store.read(pkg.sha256)));
  const { start, end } = answer.range;
  return reply
    .code(206)
    .header('content-range', `bytes ${start}-${end}/${pkg.size}`)
    .header('content-length', String(end - start + 1))
    .send(Readable.from(store.read(pkg.sha256, answer.range)));
}

/** Keeps the latest report of the install and puts it in the device's log. */
export async function recordInstallReport(ctx: ServerContext, device: DeviceRef, appId: string, report: InstallReport): Promise<void> {
  const app = await distributedApp(ctx, device, appId);
  const now = ctx.now().toISOString();
  const at = new Date(report.at).toISOString();
  const words = { installing: 'is installing', installed: 'installed', failed: 'failed to install' }[report.state];
  const event: DeviceEvent = {
    id: randomUUID(),
    type: `app.install_${report.state}`,
    at,
    message: `${app.name} ${report.version} ${words}${report.message === null ? '' : `: ${report.message}`}`.slice(0, 2000),
    data: { appId: app.id, bundleId: app.bundle_id, version: report.version, state: report.state },
  };
  await ctx.db.transaction().execute(async (trx) => {
    await upsertInstallReport(trx, device.id, app.id, report, now);
    await insertDeviceEvent(trx, { id: event.id, device_id: device.id, type: event.type, at, event: JSON.stringify(event), received_at: now });
  });
}

/** Whether If-None-Match names this entity tag (quoted or weak), or is `*`. */
function notModified(header: string | undefined, sha256: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const bare = tag.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
    return bare === '*' || bare === sha256;
  });
}

/** Serves a catalog image by its hash, immutable and inert: nosniff and a CSP that lets it run nothing if opened. */
export async function sendImage(ctx: ServerContext, sha256: string, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const image = await servableImage(ctx.db, sha256);
  const store = databaseContentStore(ctx.db, ctx.now);
  const size = image === null ? null : await store.size(sha256);
  if (image === null || size === null) throw notFound('There is no such catalog image.');
  void reply
    .header('etag', `"${sha256}"`)
    .header('cache-control', 'public, max-age=31536000, immutable')
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'");
  if (notModified(request.headers['if-none-match'], sha256)) return reply.code(304).send();
  return reply.type(IMAGE_CONTENT_TYPES[image.format]).header('content-length', String(size)).send(Readable.from(store.read(sha256)));
}
