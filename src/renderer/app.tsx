// The UI root: the providers around the pages, for whichever AgentApi the host provided.
import { useState } from 'react';
import type { AgentApi } from '../preload/contract';
import type { FirstCalls } from './shell/first-calls';
import { AppProviders, createQueryClient } from './shell/app-providers';
import { startFirstQueries, startPath } from './shell/agent-queries';
import { AppRoutes } from './shell/app-routes';

/** `firstCalls`: the status and catalog calls already sent for this api, taken into the query cache instead of asking again. */
export function App({ api, firstCalls }: { api: AgentApi; firstCalls?: FirstCalls }) {
  const [queryClient] = useState(() => {
    const client = createQueryClient();
    startFirstQueries(client, api, firstCalls);
    return client;
  });
  const [initialPath] = useState(() => startPath(firstCalls));
  return (
    <AppProviders api={api} queryClient={queryClient} initialPath={initialPath}>
      <AppRoutes />
    </AppProviders>
  );
}
