// Everything a page needs above it: the AgentApi, the query cache kept in step with the agent's events, the locale, a router.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router';
import type { AgentApi } from '../../preload/contract';
import { IntlRoot } from '../i18n/intl-root';
import type { UiLocale } from '../i18n/locale';
import { ApiContext } from './api-context';
import { useAgentEvents } from './agent-events';
import { ServerUrlProvider } from './server-url';

export interface AppProvidersProps {
  api: AgentApi;
  queryClient: QueryClient;
  /** The system's locale when not given. */
  locale?: UiLocale;
  /**
   * Where the app starts. A memory router, since the app is served from a custom scheme in Electron and from the bridge
   * in a browser, whose URL fragment carries the bridge token.
   */
  initialPath?: string;
  children: ReactNode;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: 1, refetchOnWindowFocus: false, staleTime: 30_000 },
    },
  });
}

export function AppProviders({ api, queryClient, locale, initialPath = '/', children }: AppProvidersProps) {
  useAgentEvents(api, queryClient);
  return (
    <ApiContext.Provider value={api}>
      <QueryClientProvider client={queryClient}>
        <ServerUrlProvider>
          <IntlRoot locale={locale}>
            <MemoryRouter initialEntries={[initialPath]}>{children}</MemoryRouter>
          </IntlRoot>
        </ServerUrlProvider>
      </QueryClientProvider>
    </ApiContext.Provider>
  );
}
