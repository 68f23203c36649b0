// React state for the status page: the latest AgentStatus, live updates, and the "Check in now" action.
import { useCallback, useEffect, useState } from 'react';
import type { AgentApi, AgentStatus } from '../../preload/contract';

export interface AgentStatusState {
  status: AgentStatus | null;
  /** Why the status or the last "Check in now" failed, in one sentence; null when fine. */
  error: string | null;
  checkingIn: boolean;
  checkInNow(): void;
}

/** Subscribes to the agent before reading its status, so no change between the two is lost. */
export function useAgentStatus(api: AgentApi): AgentStatusState {
  const [status, setStatus] = useState<AgentStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [checkingIn, setCheckingIn] = useState(false);

  useEffect(() => {
    let current = true;
    const unsubscribe = api.onStatusChanged((next) => {
      if (current) setStatus(next);
    });
    api.getStatus().then(
      (next) => {
        if (current) setStatus((seen) => seen ?? next);
      },
      (reason: unknown) => {
        if (current) setError(`Could not read the agent status: ${describe(reason)}`);
      },
    );
    return () => {
      current = false;
      unsubscribe();
    };
  }, [api]);

  const checkInNow = useCallback(() => {
    setCheckingIn(true);
    setError(null);
    api
      .checkInNow()
      .then(setStatus, (reason: unknown) => setError(`Check-in could not start: ${describe(reason)}`))
      .finally(() => setCheckingIn(false));
  }, [api]);

  return { status, error, checkingIn, checkInNow };
}

function describe(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}
