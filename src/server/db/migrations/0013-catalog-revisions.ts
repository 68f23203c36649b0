// Migration 0013_catalog_revisions: a counter per tenant that every write to its apps bumps, so each replica knows when its cached catalog is stale.
import type { Kysely, Migration } from 'kysely';

export const catalogRevisions: Migration = {
  async up(db: Kysely<unknown>) {
    // No rows are written here: a tenant without one is at revision 0 until its first app write.
    await db.schema
      .createTable('catalog_revisions')
      .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id'))
      .addColumn('revision', 'integer', (c) => c.notNull())
      .execute();
  },
};
