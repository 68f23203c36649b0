// The catalog revision of each tenant: a counter bumped in the transaction of every write to its apps, read by each catalog request.
import { sql } from 'kysely';
import type { Db } from '../db/database';

export interface CatalogRevisionsTable {
  tenant_id: string;
  revision: number;
}

/**
 * Counts one more change to the tenant's apps; call it in the transaction that writes them.
 *
 * Outside that transaction another replica could read the new revision before the change commits and cache the old rows
 * under it, stale until the next change, so a call outside one throws. Under PostgreSQL the upsert also locks the
 * tenant's row until commit, so concurrent app writes of one tenant take turns here.
 */
export async function bumpCatalogRevision(trx: Db, tenantId: string): Promise<void> {
  if (!trx.isTransaction) throw new Error(`the catalog revision of tenant ${tenantId} was bumped outside the transaction of the app write`);
  await trx
    .insertInto('catalog_revisions')
    .values({ tenant_id: tenantId, revision: 1 })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ revision: sql<number>`catalog_revisions.revision + 1` }))
    .execute();
}

/** The tenant's catalog revision: 0 until its apps are first written. */
export async function catalogRevision(db: Db, tenantId: string): Promise<number> {
  const row = await db.selectFrom('catalog_revisions').select('revision').where('tenant_id', '=', tenantId).executeTakeFirst();
  return row?.revision ?? 0;
}
