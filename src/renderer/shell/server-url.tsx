// The enrolled server's URL, which the pages' images come from: read from the status once for the window, not by each
// of the catalog's sixty icons (each useQuery is an observer of its own, and their setup was part of the first paint).
import { createContext, useContext } from 'react';
import type { ReactNode } from 'react';
import { useStatusQuery } from './agent-queries';

const ServerUrlContext = createContext<string | null>(null);

export function ServerUrlProvider({ children }: { children: ReactNode }) {
  const serverUrl = useStatusQuery().data?.serverUrl ?? null;
  return <ServerUrlContext.Provider value={serverUrl}>{children}</ServerUrlContext.Provider>;
}

/** The server's URL, or null before the status is known or when the Mac is not enrolled. */
export function useServerUrl(): string | null {
  return useContext(ServerUrlContext);
}
