// How the UI asks for one page of the catalog: shared by the catalog's query and the call sent as the app starts, so both ask the same.
import type { CatalogQuery } from '../../shared/catalog-protocol';

export const CATALOG_PAGE_SIZE = 60;

/** The getCatalog argument for a search and a category ('' for none) from an offset. */
export function catalogPageRequest(search: string, category: string, offset: number, limit = CATALOG_PAGE_SIZE): CatalogQuery {
  return { search: search === '' ? undefined : search, category: category === '' ? undefined : category, limit, offset };
}
