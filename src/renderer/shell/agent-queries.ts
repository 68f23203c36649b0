// Server state over the AgentApi, through TanStack Query: one key per call, so pages share one cache and events refresh it.
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { InstallProgress } from '../../shared/agent-service-contract';
import type { CatalogPage, ReviewPage } from '../../shared/catalog-protocol';
import { useApi } from './api-context';

export const CATALOG_PAGE_SIZE = 60;
export const REVIEW_PAGE_SIZE = 5;

export const queryKeys = {
  status: ['status'] as const,
  versionInfo: ['versionInfo'] as const,
  installs: ['installs'] as const,
  catalogAll: ['catalog'] as const,
  catalog: (search: string, category: string) => ['catalog', { search, category }] as const,
  appAll: ['app'] as const,
  app: (appId: string) => ['app', appId] as const,
  reviews: (appId: string) => ['reviews', appId] as const,
};

export function useStatusQuery() {
  const api = useApi();
  return useQuery({ queryKey: queryKeys.status, queryFn: () => api.getStatus() });
}

export function useVersionInfoQuery() {
  const api = useApi();
  return useQuery({ queryKey: queryKeys.versionInfo, queryFn: () => api.getVersionInfo(), staleTime: Infinity });
}

export function useInstallsQuery() {
  const api = useApi();
  return useQuery({ queryKey: queryKeys.installs, queryFn: () => api.getInstalls() });
}

/** The install of one app under way or last finished, or undefined. */
export function useInstallOf(appId: string): InstallProgress | undefined {
  return useInstallsQuery().data?.find((install) => install.appId === appId);
}

/** The catalog for a search and a category ('' for all), a page at a time; the previous answer stays while typing. */
export function useCatalogQuery(search: string, category: string) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: queryKeys.catalog(search, category),
    queryFn: ({ pageParam }) =>
      api.getCatalog({ search: search === '' ? undefined : search, category: category === '' ? undefined : category, limit: CATALOG_PAGE_SIZE, offset: pageParam }),
    initialPageParam: 0,
    getNextPageParam: nextOffset<CatalogPage>((page) => page.apps.length),
    placeholderData: keepPreviousData,
  });
}

export function useAppDetailsQuery(appId: string) {
  const api = useApi();
  return useQuery({ queryKey: queryKeys.app(appId), queryFn: () => api.getAppDetails(appId) });
}

export function useReviewsQuery(appId: string) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: queryKeys.reviews(appId),
    queryFn: ({ pageParam }) => api.getReviews(appId, { limit: REVIEW_PAGE_SIZE, offset: pageParam }),
    initialPageParam: 0,
    getNextPageParam: nextOffset<ReviewPage>((page) => page.reviews.length),
  });
}

/** The offset of the page after the last one, or undefined when every item is loaded. */
function nextOffset<P extends { page: { offset: number; total: number } }>(count: (page: P) => number) {
  return (last: P): number | undefined => {
    const next = last.page.offset + count(last);
    return count(last) > 0 && next < last.page.total ? next : undefined;
  };
}
