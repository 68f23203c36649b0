// The agent's copy of the device's catalog, so that search as you type is answered in a few milliseconds and costs the
// server nothing. It is loaded only while someone uses Apps@Work (the first catalog call after a check-in starts it),
// never on a fleet-wide schedule, and is trusted only until the next check-in, review or maximum age: until then every
// call goes to the server as before. Install states are kept current from this agent's own installs.
import { CATALOG_PAGE_LIMIT, type AppSummary, type CatalogPage, type CatalogQuery, type InstallState } from '../../shared/catalog-protocol';
import { catalogSearchTerm, catalogSearchText, matchesCatalogSearch } from '../../shared/catalog-search';
import type { Clock, Logger } from '../core/ports';

/** Larger catalogs are not copied: every call goes to the server, which pages and searches them. */
export const MAX_SNAPSHOT_APPS = 5_000;
/** A copy older than this is not used, even without a check-in. */
export const SNAPSHOT_MAX_AGE_MS = 5 * 60_000;
/** After a load that failed (server unreachable, catalog changing while paged) the next try waits this long. */
export const SNAPSHOT_RETRY_MS = 30_000;
const PARALLEL_PAGES = 3;

export type FetchCatalogPage = (query: CatalogQuery) => Promise<CatalogPage>;

interface Copy {
  /** The server and device it is the catalog of. */
  owner: string;
  loadedAt: number;
  apps: { summary: AppSummary; searchText: readonly string[] }[];
  categories: string[];
}

export class CatalogSnapshot {
  private copy: Copy | null = null;
  /** Bumped by everything that may change the catalog: a load begun before the last bump is not used. */
  private generation = 0;
  private loading: Promise<void> | null = null;
  private lastFailureAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** The page from the copy when it is current for `owner`, else null (ask the server, then `load`). */
  answer(owner: string, query: CatalogQuery): CatalogPage | null {
    const copy = this.current(owner);
    if (copy === null) return null;
    const term = catalogSearchTerm(query.search);
    const found = copy.apps.filter((app) => (query.category === undefined || app.summary.category === query.category) && matchesCatalogSearch(app.searchText, term));
    return {
      apps: found.slice(query.offset, query.offset + query.limit).map((app) => app.summary),
      page: { limit: query.limit, offset: query.offset, total: found.length },
      categories: copy.categories,
    };
  }

  /** A check-in, a review or an enrollment may have changed the catalog: the copy is not used again. */
  invalidate(): void {
    this.generation += 1;
    this.copy = null;
  }

  /** This agent's install of an app moved on: its tile says so without waiting for a new copy. */
  setInstallState(appId: string, installState: InstallState): void {
    const app = this.copy?.apps.find((item) => item.summary.id === appId);
    if (app !== undefined) app.summary = { ...app.summary, installState };
  }

  private current(owner: string): Copy | null {
    const copy = this.copy;
    if (copy === null || copy.owner !== owner || this.clock.now().getTime() - copy.loadedAt > SNAPSHOT_MAX_AGE_MS) return null;
    return copy;
  }

  /** Starts copying the catalog in the background, unless a copy is current, one is being made, or one failed just now. */
  load(owner: string, fetchPage: FetchCatalogPage): void {
    if (this.current(owner) !== null || this.loading !== null || this.clock.now().getTime() - this.lastFailureAt < SNAPSHOT_RETRY_MS) return;
    const generation = this.generation;
    const started = this.clock.now().getTime();
    this.loading = loadAll(fetchPage)
      .then((loaded) => {
        if (loaded === null) {
          this.lastFailureAt = this.clock.now().getTime();
          return;
        }
        if (generation !== this.generation) return;
        this.copy = { owner, loadedAt: started, ...loaded };
        this.logger.info('copied the catalog for search', { apps: loaded.apps.length, ms: this.clock.now().getTime() - started });
      })
      .catch((error: unknown) => {
        this.lastFailureAt = this.clock.now().getTime();
        this.logger.warn('could not copy the catalog; searches go to the server', { reason: error instanceof Error ? error.message : String(error) });
      })
      .finally(() => {
        this.loading = null;
      });
  }
}

/** Every page of the catalog, or null for one too large to copy; an error when it changed while it was paged through. */
async function loadAll(fetchPage: FetchCatalogPage): Promise<Omit<Copy, 'owner' | 'loadedAt'> | null> {
  const first = await fetchPage({ limit: CATALOG_PAGE_LIMIT, offset: 0 });
  const { total } = first.page;
  if (total > MAX_SNAPSHOT_APPS) return null;
  const offsets: number[] = [];
  for (let offset = first.apps.length; offset < total; offset += CATALOG_PAGE_LIMIT) offsets.push(offset);
  const pages = [first];
  for (let i = 0; i < offsets.length; i += PARALLEL_PAGES) {
    pages.push(...(await Promise.all(offsets.slice(i, i + PARALLEL_PAGES).map((offset) => fetchPage({ limit: CATALOG_PAGE_LIMIT, offset })))));
  }
  const apps = pages.flatMap((page) => page.apps);
  const unique = new Set(apps.map((app) => app.id));
  if (pages.some((page) => page.page.total !== total) || apps.length !== total || unique.size !== total) {
    throw new Error(`the catalog changed while it was copied (${apps.length} apps read, ${unique.size} distinct, ${total} expected)`);
  }
  return { apps: apps.map((summary) => ({ summary, searchText: catalogSearchText(summary) })), categories: first.categories };
}
