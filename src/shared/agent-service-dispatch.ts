// Serving the agent service contract, for every transport's server side: checked calls and subscriptions by name.
import { AGENT_METHODS, eventProperty } from './agent-service-contract';
import type { AgentServiceContract, EventName, EventPayload, MethodName } from './agent-service-contract';

/** The caller sent arguments the method does not take; transports answer it as the caller's mistake (IPC error, HTTP 400). */
export class ContractArgumentsError extends Error {}

/**
 * Calls one method with arguments that arrived from outside; resolves with its result.
 *
 * The arguments must be what the method takes before the service sees them, and the result what the method promises
 * before it crosses to the caller.
 */
export async function callChecked(service: AgentServiceContract, method: MethodName, args: unknown): Promise<unknown> {
  const spec = AGENT_METHODS[method];
  const parsed = spec.args.safeParse(args);
  if (!parsed.success) throw new ContractArgumentsError(`Refused ${method}: its arguments are not what the method takes.`);
  // The one cast of the generated dispatch: the table has just checked what the method's signature says.
  const result = await (service[method] as (...values: unknown[]) => Promise<unknown>).apply(service, parsed.data);
  const checked = spec.result.safeParse(result);
  // The agent broke its own contract: say so rather than hand the UI something it cannot trust.
  if (!checked.success) throw new Error(`The agent service answered ${method} with something the contract does not allow.`);
  return checked.data;
}

/** Subscribes to one event of the service by its contract name; returns the unsubscribe function. */
export function subscribeTo<E extends EventName>(service: AgentServiceContract, event: E, listener: (payload: EventPayload<E>) => void): () => void {
  const on = service[eventProperty(event)] as (listener: (payload: EventPayload<E>) => void) => () => void;
  return on.call(service, listener);
}
