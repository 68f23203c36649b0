// The device catalog's cache of every app's filter columns, parsed once per tenant and catalog revision instead of read and parsed on each request.
import { catalogSearchText } from '../../shared/catalog-search';
import { readDistribution, type Distribution } from '../configurations/distribution';
import type { Db } from '../db/database';
import { catalogFilterRows } from './app-queries';
import { catalogRevision } from './catalog-revisions';

/** What the device catalog filters an app by, ready to compare. */
export interface CatalogFilterApp {
  id: string;
  category: string;
  distribution: Distribution;
  /** What search looks in (src/shared/catalog-search.ts, the rule the agent's copy of the catalog applies too). */
  searchText: readonly string[];
}

/**
 * How many tenants' catalogs one database handle keeps, the least recently asked for dropped first. A server serves one
 * tenant, so this only bounds a handle shared by more. One entry holds, per app, its id, category, parsed distribution
 * and a lower-cased copy of its name, publisher and short description.
 */
const MAX_CACHED_TENANTS = 8;

interface CachedCatalog {
  revision: number;
  /** A promise, so that requests arriving during a rebuild wait for that one instead of each reading every app. */
  apps: Promise<readonly CatalogFilterApp[]>;
}

/** Every app of a tenant, by name then id as the database orders them, with the filter columns parsed. */
async function loadFilterApps(db: Db, tenantId: string): Promise<readonly CatalogFilterApp[]> {
  const rows = await catalogFilterRows(db, tenantId);
  return rows.map((r) => ({
    id: r.id,
    category: r.category,
    distribution: readDistribution(r.distribution),
    searchText: catalogSearchText({ name: r.name, publisher: r.publisher, shortDescription: r.short_description }),
  }));
}

/**
 * The tenant's apps as of its current catalog revision, from memory while the revision is the one they were read at.
 *
 * The revision is read before the apps: rows read after it are at least that new, so caching them under it is safe even
 * when a write commits in between (the next request then sees a newer revision and reads again). Replicas share no
 * memory, only the database, and no clock: the revision, not a time, tells each one that its copy is stale. Any other
 * revision than the cached one (also a lower one, as after a restore from backup) reads again.
 */
export class CatalogFilterCache {
  /** In least recently used order: a Map iterates in insertion order and a hit is inserted again. */
  private readonly tenants = new Map<string, CachedCatalog>();

  constructor(
    private readonly db: Db,
    private readonly maxTenants = MAX_CACHED_TENANTS,
  ) {}

  async apps(tenantId: string): Promise<readonly CatalogFilterApp[]> {
    const revision = await catalogRevision(this.db, tenantId);
    const cached = this.tenants.get(tenantId);
    this.tenants.delete(tenantId);
    if (cached !== undefined && cached.revision === revision) {
      this.tenants.set(tenantId, cached);
      return cached.apps;
    }
    const entry: CachedCatalog = { revision, apps: loadFilterApps(this.db, tenantId) };
    this.tenants.set(tenantId, entry);
    if (this.tenants.size > this.maxTenants) this.tenants.delete(this.tenants.keys().next().value!);
    // A failed read is not kept: the next request tries again. The caller still gets the rejection through `entry.apps`.
    entry.apps.catch(() => {
      if (this.tenants.get(tenantId) === entry) this.tenants.delete(tenantId);
    });
    return entry.apps;
  }
}

// One cache per database handle rather than per process: each server (and each replica a test starts in one process)
// opens its own handle, so two servers on different databases never share entries, even for the same tenant id.
const caches = new WeakMap<Db, CatalogFilterCache>();

/** The catalog filter cache of this database handle. */
export function catalogFilterCache(db: Db): CatalogFilterCache {
  let cache = caches.get(db);
  if (cache === undefined) {
    cache = new CatalogFilterCache(db);
    caches.set(db, cache);
  }
  return cache;
}
