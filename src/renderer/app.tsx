// The UI root: the providers around the pages, for whichever AgentApi the host provided.
import { useState } from 'react';
import type { AgentApi } from '../preload/contract';
import { AppProviders, createQueryClient } from './shell/app-providers';
import { startFirstQueries } from './shell/agent-queries';
import { AppRoutes } from './shell/app-routes';

export function App({ api }: { api: AgentApi }) {
  const [queryClient] = useState(() => {
    const client = createQueryClient();
    startFirstQueries(client, api);
    return client;
  });
  return (
    <AppProviders api={api} queryClient={queryClient}>
      <AppRoutes />
    </AppProviders>
  );
}
