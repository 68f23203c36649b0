// Keeps the query cache in step with the agent's events: a new status, install list or onboarding replaces the cached one.
import { useEffect } from 'react';
import type { QueryClient } from '@tanstack/react-query';
import type { AgentApi, AgentStatus } from '../../preload/contract';
import type { InstallProgress } from '../../shared/agent-service-contract';
import type { OnboardingView } from '../../shared/onboarding-view';
import { queryKeys } from './agent-queries';

export function useAgentEvents(api: AgentApi, queryClient: QueryClient): void {
  useEffect(() => {
    const offStatus = api.onStatusChanged((status) => applyStatusEvent(queryClient, status));
    const offInstalls = api.onInstallsChanged((installs) => applyInstallsEvent(queryClient, installs));
    const offOnboarding = api.onOnboardingChanged((onboarding) => applyOnboardingEvent(queryClient, onboarding));
    return () => {
      offStatus();
      offInstalls();
      offOnboarding();
    };
  }, [api, queryClient]);
}

/** A check-in or an enrollment may change what the catalog holds: refetch it then. */
export function applyStatusEvent(queryClient: QueryClient, status: AgentStatus): void {
  const before = queryClient.getQueryData<AgentStatus>(queryKeys.status);
  queryClient.setQueryData(queryKeys.status, status);
  if (before === undefined || before.lastCheckinAt !== status.lastCheckinAt || before.enrolled !== status.enrolled) {
    void queryClient.invalidateQueries({ queryKey: queryKeys.catalogAll });
  }
}

/** Progress updates only the installs; an install that just ended also refreshes the catalog and details it shows in. */
export function applyInstallsEvent(queryClient: QueryClient, installs: InstallProgress[]): void {
  const before = queryClient.getQueryData<InstallProgress[]>(queryKeys.installs) ?? [];
  queryClient.setQueryData(queryKeys.installs, installs);
  const ended = (list: InstallProgress[]) => new Set(list.filter((install) => install.endedAt !== null).map((install) => `${install.appId}@${install.endedAt}`));
  const endedBefore = ended(before);
  if ([...ended(installs)].some((key) => !endedBefore.has(key))) {
    void queryClient.invalidateQueries({ queryKey: queryKeys.catalogAll });
    void queryClient.invalidateQueries({ queryKey: queryKeys.appAll });
  }
}

/** An onboarding that starts, moves or ends (null): the kiosk follows the cache (onboarding-gate.tsx). */
export function applyOnboardingEvent(queryClient: QueryClient, onboarding: OnboardingView | null): void {
  queryClient.setQueryData(queryKeys.onboarding, onboarding);
}
