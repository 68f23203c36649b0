// Apps@Work apps in the database: the tables of apps, their images and screenshots, and every query the catalog routes make of them.
import type { ColumnType } from 'kysely';
import type { CatalogImage, Screenshot } from '../../shared/catalog-protocol';
import { containsIgnoringCase } from '../admin-api/admin-route';
import type { Db } from '../db/database';
import { paginate, type Page } from '../db/paginate';
import { bumpCatalogRevision } from './catalog-revisions';
import type { ImageFormat } from './image-checks';

export interface AppsTable {
  id: string;
  tenant_id: string;
  name: string;
  bundle_id: string;
  version: string;
  publisher: string;
  category: string;
  short_description: string;
  description: string;
  type: string;
  priority: string;
  featured: number;
  silent_install: number;
  remove_on_unenrollment: number;
  distribution: string;
  icon_sha256: string | null;
  package_sha256: string | null;
  /** PostgreSQL answers a bigint as text. */
  package_size: ColumnType<number | string | null, number | null, number | null>;
  created_at: string;
  updated_at: string;
}

export type AppRow = Omit<AppsTable, 'package_size'> & { package_size: number | string | null };

export interface AppScreenshotsTable {
  app_id: string;
  position: number;
  image_sha256: string;
  caption: string;
}

/** An image the catalog holds: the uploaded bytes' hash and format, and its thumbnail's. */
export interface CatalogImagesTable {
  sha256: string;
  format: string;
  width: number;
  height: number;
  thumbnail_sha256: string;
  thumbnail_format: string;
  created_at: string;
}

export interface AppFilter {
  /** Part of the name, bundle id or publisher, any case. */
  q?: string;
  category?: string;
  type?: string;
}

export async function listApps(db: Db, tenantId: string, filter: AppFilter, page: { limit: number; offset: number }): Promise<{ rows: AppRow[]; page: Page }> {
  let base = db.selectFrom('apps').where('tenant_id', '=', tenantId);
  if (filter.q !== undefined) {
    const q = filter.q;
    base = base.where((eb) => eb.or([containsIgnoringCase('name', q), containsIgnoringCase('bundle_id', q), containsIgnoringCase('publisher', q)]));
  }
  if (filter.category !== undefined) base = base.where('category', '=', filter.category);
  if (filter.type !== undefined) base = base.where('type', '=', filter.type);
  return paginate(base.selectAll().orderBy('name').orderBy('id'), page);
}

/** What the device catalog filters by: distribution, category and the text that search looks in. */
export type CatalogFilterRow = Pick<AppRow, 'id' | 'category' | 'distribution' | 'name' | 'publisher' | 'short_description'>;

/**
 * Every app of the tenant, by name, with only the columns the catalog filters by: a device's page reads its 100 whole
 * rows afterwards (appsByIds), not the tenant's every row whole (with 1,000 apps that took most of a catalog request).
 */
export function catalogFilterRows(db: Db, tenantId: string): Promise<CatalogFilterRow[]> {
  return db
    .selectFrom('apps')
    .select(['id', 'category', 'distribution', 'name', 'publisher', 'short_description'])
    .where('tenant_id', '=', tenantId)
    .orderBy('name')
    .orderBy('id')
    .execute();
}

/** These apps of the tenant, whole, in the order of `ids`. */
export async function appsByIds(db: Db, tenantId: string, ids: string[]): Promise<AppRow[]> {
  if (ids.length === 0) return [];
  const rows = new Map((await db.selectFrom('apps').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', ids).execute()).map((r) => [r.id, r]));
  return ids.flatMap((id) => rows.get(id) ?? []);
}

export function appById(db: Db, tenantId: string, id: string): Promise<AppRow | undefined> {
  return db.selectFrom('apps').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId).executeTakeFirst();
}

// Every write to apps below bumps the tenant's catalog revision in the caller's transaction: replicas cache the catalog by it.

export async function insertApp(trx: Db, app: AppRow): Promise<void> {
  await trx.insertInto('apps').values({ ...app, package_size: app.package_size === null ? null : Number(app.package_size) }).execute();
  await bumpCatalogRevision(trx, app.tenant_id);
}

/** Writes a changed app, guarded by the time it was read at: false when another change came first. */
export async function updateApp(trx: Db, before: AppRow, after: AppRow): Promise<boolean> {
  const { id: _id, tenant_id: _tenant, created_at: _created, ...fields } = after;
  const updated = await trx
    .updateTable('apps')
    .set({ ...fields, package_size: fields.package_size === null ? null : Number(fields.package_size) })
    .where('id', '=', before.id)
    .where('updated_at', '=', before.updated_at)
    .executeTakeFirst();
  if (updated.numUpdatedRows !== 1n) return false;
  await bumpCatalogRevision(trx, before.tenant_id);
  return true;
}

/** Marks an app changed where the change is in another table (its screenshots). */
export async function touchApp(trx: Db, app: Pick<AppRow, 'id' | 'tenant_id'>, at: string): Promise<void> {
  await trx.updateTable('apps').set({ updated_at: at }).where('id', '=', app.id).execute();
  await bumpCatalogRevision(trx, app.tenant_id);
}

/** Deletes an app with its screenshots, reviews and install reports. */
export async function deleteApp(trx: Db, app: Pick<AppRow, 'id' | 'tenant_id'>): Promise<void> {
  for (const table of ['app_screenshots', 'app_reviews', 'app_install_reports'] as const) {
    await trx.deleteFrom(table).where('app_id', '=', app.id).execute();
  }
  await trx.deleteFrom('apps').where('id', '=', app.id).execute();
  await bumpCatalogRevision(trx, app.tenant_id);
}

export function imageBySha256(db: Db, sha256: string): Promise<CatalogImagesTable | undefined> {
  return db.selectFrom('catalog_images').selectAll().where('sha256', '=', sha256).executeTakeFirst();
}

/** Records an image; one uploaded before with the same bytes is kept as it is. */
export async function insertImage(db: Db, image: CatalogImagesTable): Promise<void> {
  await db.insertInto('catalog_images').values(image).onConflict((oc) => oc.column('sha256').doNothing()).execute();
}

export function screenshotRows(db: Db, appIds: string[]) {
  if (appIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('app_screenshots as s')
    .innerJoin('catalog_images as i', 'i.sha256', 's.image_sha256')
    .select(['s.app_id', 's.position', 's.caption', 'i.sha256', 'i.width', 'i.height', 'i.thumbnail_sha256'])
    .where('s.app_id', 'in', appIds)
    .orderBy('s.app_id')
    .orderBy('s.position')
    .execute();
}

/** Replaces an app's screenshots with these, in this order. */
export async function replaceScreenshots(db: Db, appId: string, screenshots: { sha256: string; caption: string }[]): Promise<void> {
  await db.deleteFrom('app_screenshots').where('app_id', '=', appId).execute();
  if (screenshots.length === 0) return;
  await db
    .insertInto('app_screenshots')
    .values(screenshots.map((s, position) => ({ app_id: appId, position, image_sha256: s.sha256, caption: s.caption })))
    .execute();
}

/** The images of these hashes, by hash. */
export async function imagesBySha256(db: Db, hashes: string[]): Promise<Map<string, CatalogImage>> {
  const wanted = [...new Set(hashes)];
  if (wanted.length === 0) return new Map();
  const rows = await db.selectFrom('catalog_images').selectAll().where('sha256', 'in', wanted).execute();
  return new Map(rows.map((r) => [r.sha256, { sha256: r.sha256, width: r.width, height: r.height, thumbnailSha256: r.thumbnail_sha256 }]));
}

/** Screenshots of these apps, by app id, in order. */
export async function screenshotsByApp(db: Db, appIds: string[]): Promise<Map<string, Screenshot[]>> {
  const byApp = new Map<string, Screenshot[]>();
  for (const r of await screenshotRows(db, appIds)) {
    byApp.set(r.app_id, [...(byApp.get(r.app_id) ?? []), { sha256: r.sha256, width: r.width, height: r.height, thumbnailSha256: r.thumbnail_sha256, caption: r.caption }]);
  }
  return byApp;
}

/**
 * The stored bytes and format to serve for an image hash, or null unless some app names the image (as its icon or a
 * screenshot, the original or its thumbnail): the hash alone opens nothing else of the content store.
 */
export async function servableImage(db: Db, sha256: string): Promise<{ format: ImageFormat } | null> {
  const image = await db
    .selectFrom('catalog_images as i')
    .select(['i.sha256', 'i.format', 'i.thumbnail_sha256', 'i.thumbnail_format'])
    .where((eb) => eb.or([eb('i.sha256', '=', sha256), eb('i.thumbnail_sha256', '=', sha256)]))
    .where((eb) =>
      eb.or([
        eb.exists(eb.selectFrom('apps as a').select('a.id').whereRef('a.icon_sha256', '=', 'i.sha256')),
        eb.exists(eb.selectFrom('app_screenshots as s').select('s.app_id').whereRef('s.image_sha256', '=', 'i.sha256')),
      ]),
    )
    .executeTakeFirst();
  if (image === undefined) return null;
  return { format: (image.sha256 === sha256 ? image.format : image.thumbnail_format) as ImageFormat };
}

/** Of these content hashes, the ones no app names any more (package, icon, screenshot or thumbnail): safe to delete. */
export async function unusedContent(db: Db, hashes: string[]): Promise<string[]> {
  const candidates = [...new Set(hashes)];
  if (candidates.length === 0) return [];
  const [packages, icons, screenshots] = await Promise.all([
    db.selectFrom('apps').select('package_sha256 as sha256').where('package_sha256', 'in', candidates).execute(),
    db.selectFrom('apps as a').innerJoin('catalog_images as i', 'i.sha256', 'a.icon_sha256').select(['i.sha256', 'i.thumbnail_sha256']).execute(),
    db.selectFrom('app_screenshots as s').innerJoin('catalog_images as i', 'i.sha256', 's.image_sha256').select(['i.sha256', 'i.thumbnail_sha256']).execute(),
  ]);
  const used = new Set<string | null>([...packages.map((p) => p.sha256), ...[...icons, ...screenshots].flatMap((i) => [i.sha256, i.thumbnail_sha256])]);
  return candidates.filter((h) => !used.has(h));
}

/** Drops image records no app names, so their content can go too. */
export async function deleteImageRecords(db: Db, hashes: string[]): Promise<void> {
  if (hashes.length === 0) return;
  await db.deleteFrom('catalog_images').where('sha256', 'in', hashes).execute();
}

/** Content hashes an image record holds: the original and its thumbnail. */
export async function imageContent(db: Db, hashes: (string | null)[]): Promise<string[]> {
  const wanted = hashes.filter((h): h is string => h !== null);
  if (wanted.length === 0) return [];
  const rows = await db.selectFrom('catalog_images').select(['sha256', 'thumbnail_sha256']).where('sha256', 'in', wanted).execute();
  return [...new Set(rows.flatMap((r) => [r.sha256, r.thumbnail_sha256]))];
}
