// The status, the onboarding and the catalog's first page, asked for as the window opens, before anything needs them: the query cache
// takes their answers, or the calls still under way, instead of asking again (agent-connection.ts sends them).
import type { AgentApi } from '../../preload/contract';
import type { MethodResult } from '../../shared/agent-service-contract';
import { catalogPageRequest } from './catalog-request';

/** A call asked for before anyone needed it. */
export interface FirstCall<T> {
  /** The answer if it has arrived, for the query cache before the first render. */
  answer(): T | undefined;
  /** The call itself, handed out once: a later fetch asks the agent again. */
  take(): Promise<T> | null;
}

export interface FirstCalls {
  status: FirstCall<MethodResult<'getStatus'>>;
  catalog: FirstCall<MethodResult<'getCatalog'>>;
  /** Whether the kiosk onboarding shows instead of the app: known before the first render, so the catalog does not flash first. */
  onboarding: FirstCall<MethodResult<'getOnboarding'>>;
  /** Resolves when every call has settled, or after `ms`, whichever is first. */
  settled(ms: number): Promise<void>;
}

function firstCall<T>(promise: Promise<T>): FirstCall<T> & { done: Promise<void> } {
  let pending: Promise<T> | null = promise;
  let arrived: { value: T } | undefined;
  // A failure is handled by whoever takes the call; one nobody takes must not be reported as unhandled.
  const done = promise.then((value) => void (arrived = { value }), () => undefined);
  return {
    done,
    answer: () => arrived?.value,
    take: () => {
      const taken = pending;
      pending = null;
      return taken;
    },
  };
}

export function sendFirstCalls(api: AgentApi): FirstCalls {
  const status = firstCall(api.getStatus());
  const catalog = firstCall(api.getCatalog(catalogPageRequest('', '', 0)));
  const onboarding = firstCall(api.getOnboarding());
  const all = Promise.all([status.done, catalog.done, onboarding.done]).then(() => undefined);
  return {
    status,
    catalog,
    onboarding,
    settled: (ms) => Promise.race([all, new Promise<void>((resolve) => setTimeout(resolve, ms))]),
  };
}
