// The AgentApi the pages talk to, handed down once from the root.
import { createContext, useContext } from 'react';
import type { AgentApi } from '../../preload/contract';

export const ApiContext = createContext<AgentApi | null>(null);

export function useApi(): AgentApi {
  const api = useContext(ApiContext);
  if (api === null) throw new Error('useApi needs an <ApiContext.Provider> above it.');
  return api;
}
