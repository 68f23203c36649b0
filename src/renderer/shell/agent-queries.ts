// Server state over the AgentApi, through TanStack Query: one key per call, so pages share one cache and events refresh it.
import { infiniteQueryOptions, keepPreviousData, queryOptions, useInfiniteQuery, useQuery, type QueryClient } from '@tanstack/react-query';
import type { AgentApi } from '../../preload/contract';
import type { InstallProgress } from '../../shared/agent-service-contract';
import type { CatalogPage, ReviewPage } from '../../shared/catalog-protocol';
import type { FirstCalls } from './first-calls';
import { useApi } from './api-context';
import { catalogPageRequest } from './catalog-request';

export const REVIEW_PAGE_SIZE = 5;

export const queryKeys = {
  status: ['status'] as const,
  versionInfo: ['versionInfo'] as const,
  installs: ['installs'] as const,
  onboarding: ['onboarding'] as const,
  catalogAll: ['catalog'] as const,
  catalog: (search: string, category: string) => ['catalog', { search, category }] as const,
  appAll: ['app'] as const,
  app: (appId: string) => ['app', appId] as const,
  reviews: (appId: string) => ['reviews', appId] as const,
};

const statusQuery = (api: AgentApi, first?: FirstCalls) =>
  queryOptions({ queryKey: queryKeys.status, queryFn: () => first?.status.take() ?? api.getStatus() });

export function useStatusQuery() {
  return useQuery(statusQuery(useApi()));
}

export function useVersionInfoQuery() {
  const api = useApi();
  return useQuery({ queryKey: queryKeys.versionInfo, queryFn: () => api.getVersionInfo(), staleTime: Infinity });
}

export function useInstallsQuery() {
  const api = useApi();
  return useQuery({ queryKey: queryKeys.installs, queryFn: () => api.getInstalls() });
}

/**
 * The kiosk onboarding while the agent shows one, else null. Its event keeps it current (each step, each second of the
 * countdown), so it is never stale on its own; a failed read counts as none, so the app stays usable.
 */
const onboardingQuery = (api: AgentApi, first?: FirstCalls) =>
  queryOptions({ queryKey: queryKeys.onboarding, queryFn: () => first?.onboarding.take() ?? api.getOnboarding(), staleTime: Infinity });

export function useOnboardingQuery() {
  return useQuery(onboardingQuery(useApi()));
}

/** The install of one app under way or last finished, or undefined. */
export function useInstallOf(appId: string): InstallProgress | undefined {
  return useInstallsQuery().data?.find((install) => install.appId === appId);
}

/** The catalog for a search and a category ('' for all), a page at a time; the previous answer stays while typing. */
const catalogQuery = (api: AgentApi, search: string, category: string, first?: FirstCalls) =>
  infiniteQueryOptions({
    queryKey: queryKeys.catalog(search, category),
    queryFn: ({ pageParam }) => (pageParam === 0 ? first?.catalog.take() : null) ?? api.getCatalog(catalogPageRequest(search, category, pageParam)),
    initialPageParam: 0,
    getNextPageParam: nextOffset<CatalogPage>((page) => page.apps.length),
    placeholderData: keepPreviousData,
  });

export function useCatalogQuery(search: string, category: string) {
  return useInfiniteQuery(catalogQuery(useApi(), search, category));
}

/**
 * Puts the status, the onboarding and the catalog's first page in the cache as the app starts, from the calls already sent
 * (agent-connection.ts) when given: their answers if they have arrived, else the calls under way. Most starts are of
 * an enrolled Mac, whose start page would otherwise wait for the status before the catalog page asks. A Mac not
 * enrolled gets a not_enrolled error in the cache, which the catalog page, once it is reached after registration,
 * asks again past.
 */
export function startFirstQueries(queryClient: QueryClient, api: AgentApi, first?: FirstCalls): void {
  const status = first?.status.answer();
  if (status === undefined) void queryClient.prefetchQuery(statusQuery(api, first));
  else queryClient.setQueryData(queryKeys.status, status);
  const onboarding = first?.onboarding.answer();
  if (onboarding === undefined) void queryClient.prefetchQuery(onboardingQuery(api, first));
  else queryClient.setQueryData(queryKeys.onboarding, onboarding);
  const catalog = first?.catalog.answer();
  if (catalog === undefined) void queryClient.prefetchInfiniteQuery(catalogQuery(api, '', '', first));
  else queryClient.setQueryData(catalogQuery(api, '', '').queryKey, { pages: [catalog], pageParams: [0] });
}

/** The page for a known status: Apps@Work for an enrolled Mac, registration for one that is not. */
export function homePath(status: { enrolled: boolean }): string {
  return status.enrolled ? '/apps' : '/register';
}

/** Where the app starts: its home when the status is already known, else the start page that waits for it. */
export function startPath(first?: FirstCalls): string {
  const status = first?.status.answer();
  return status === undefined ? '/' : homePath(status);
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
