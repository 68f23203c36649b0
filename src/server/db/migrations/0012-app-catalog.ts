// Migration 0012_app_catalog (issue 11): Apps@Work's apps, images, screenshots, reviews, install reports, and the content store's chunks.
import type { Kysely, Migration } from 'kysely';

// `bytea` is PostgreSQL's binary type; SQLite gives the column NUMERIC affinity, which stores Buffers unchanged as BLOBs.
const BINARY = 'bytea';

export const appCatalog: Migration = {
  async up(db: Kysely<unknown>) {
    // A content object exists once all its chunks are stored under its sha256; chunks of an upload in progress are
    // stored under `upload:<started at>:<uuid>` until then.
    await db.schema
      .createTable('content_objects')
      .addColumn('sha256', 'text', (c) => c.primaryKey())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('chunk_bytes', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('content_chunks')
      .addColumn('object_key', 'text', (c) => c.notNull())
      .addColumn('chunk_index', 'integer', (c) => c.notNull())
      .addColumn('bytes', BINARY, (c) => c.notNull())
      .addPrimaryKeyConstraint('content_chunks_pk', ['object_key', 'chunk_index'])
      .execute();

    await db.schema
      .createTable('catalog_images')
      .addColumn('sha256', 'text', (c) => c.primaryKey())
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('width', 'integer', (c) => c.notNull())
      .addColumn('height', 'integer', (c) => c.notNull())
      .addColumn('thumbnail_sha256', 'text', (c) => c.notNull())
      .addColumn('thumbnail_format', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('catalog_images_thumbnail').on('catalog_images').column('thumbnail_sha256').execute();

    await db.schema
      .createTable('apps')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('bundle_id', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('publisher', 'text', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('short_description', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('priority', 'text', (c) => c.notNull())
      .addColumn('featured', 'integer', (c) => c.notNull())
      .addColumn('silent_install', 'integer', (c) => c.notNull())
      .addColumn('remove_on_unenrollment', 'integer', (c) => c.notNull())
      .addColumn('distribution', 'text', (c) => c.notNull())
      .addColumn('icon_sha256', 'text', (c) => c.references('catalog_images.sha256'))
      .addColumn('package_sha256', 'text', (c) => c.references('content_objects.sha256'))
      .addColumn('package_size', 'bigint')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('apps_tenant_name').on('apps').columns(['tenant_id', 'name']).execute();

    await db.schema
      .createTable('app_screenshots')
      .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id'))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('image_sha256', 'text', (c) => c.notNull().references('catalog_images.sha256'))
      .addColumn('caption', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('app_screenshots_pk', ['app_id', 'position'])
      .execute();

    // No foreign key to users: a review outlives its author's account, shown without a name.
    await db.schema
      .createTable('app_reviews')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id'))
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('rating', 'integer', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('hidden', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('app_reviews_app_user_unique', ['app_id', 'user_id'])
      .execute();
    await db.schema.createIndex('app_reviews_app_updated').on('app_reviews').columns(['app_id', 'updated_at']).execute();

    await db.schema
      .createTable('app_install_reports')
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
      .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id'))
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('message', 'text')
      .addColumn('received_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('app_install_reports_pk', ['device_id', 'app_id'])
      .execute();
  },
};
