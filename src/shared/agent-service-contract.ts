// The agent service the UI uses, defined once as a method table (DESIGN.md §1): every transport is generated from it.
import { z } from 'zod';
import { AgentStatusSchema } from './agent-status';
import { Text } from './input-bounds';
import { EnrollRequestSchema } from './protocol';

/**
 * One method of the service.
 *
 * A `read` changes nothing and takes no arguments (the HTTP transports serve it as a GET); a `change` may take
 * arguments and do work (a POST). Every method is async for its callers, whichever process answers it.
 */
export interface MethodSpec<Args extends z.ZodTuple = z.ZodTuple, Result extends z.ZodType = z.ZodType> {
  kind: 'read' | 'change';
  args: Args;
  result: Result;
}

/** One event of the service: what each listener gets, and the read method that gives its current value, if any. */
export interface EventSpec<Payload extends z.ZodType = z.ZodType> {
  payload: Payload;
  current?: MethodName;
}

function read<Result extends z.ZodType>(result: Result): MethodSpec<z.ZodTuple<[], null>, Result> {
  return { kind: 'read', args: z.tuple([]), result };
}

function change<Args extends z.ZodTuple, Result extends z.ZodType>(args: Args, result: Result): MethodSpec<Args, Result> {
  return { kind: 'change', args, result };
}

/** What the UI enrolls with; bounded like the server's enrollment request, so a refusal comes before any network call. */
export const EnrollParamsSchema = z.object({
  serverUrl: Text(2048).min(1),
  username: EnrollRequestSchema.shape.username,
  pin: EnrollRequestSchema.shape.pin,
});
export type EnrollParams = z.infer<typeof EnrollParamsSchema>;

export const EnrollResultSchema = z.object({ deviceId: z.string().min(1).max(128) });
export type EnrollResult = z.infer<typeof EnrollResultSchema>;

/** The methods of the agent service: adding one here (and implementing it in AgentService) serves it on every transport. */
export const AGENT_METHODS = {
  /** The device's enrollment, its check-in times and its recent runs. */
  getStatus: read(AgentStatusSchema),
  /** Checks in now rather than at the next planned time; resolves with the status after it. */
  checkInNow: change(z.tuple([]), AgentStatusSchema),
  /** Enrolls this device with a user name and PIN; refused when it is already enrolled. */
  enroll: change(z.tuple([EnrollParamsSchema]), EnrollResultSchema),
  /** This agent's version, and the OS and runtimes it runs on, for the About screen. */
  getVersionInfo: read(
    z.object({
      agentVersion: Text(50),
      platform: Text(32),
      arch: Text(32),
      osName: Text(100),
      osVersion: Text(100),
      nodeVersion: Text(50),
      electronVersion: Text(50).nullable(),
    }),
  ),
} satisfies Record<string, MethodSpec>;

/** The events of the agent service; each is an `onX` subscription on the service (VS Code's convention). */
export const AGENT_EVENTS = {
  /** After every change of what getStatus returns. */
  statusChanged: { payload: AgentStatusSchema, current: 'getStatus' },
} satisfies Record<string, EventSpec>;

export type MethodName = keyof typeof AGENT_METHODS;
export type EventName = keyof typeof AGENT_EVENTS;
export type MethodArgs<M extends MethodName> = z.infer<(typeof AGENT_METHODS)[M]['args']>;
export type MethodResult<M extends MethodName> = z.infer<(typeof AGENT_METHODS)[M]['result']>;
export type EventPayload<E extends EventName> = z.infer<(typeof AGENT_EVENTS)[E]['payload']>;

/** The subscription property of an event: statusChanged -> onStatusChanged. */
export type EventProperty<E extends EventName> = `on${Capitalize<E>}`;

/** The agent service as every UI sees it: what AgentService implements and every transport's client provides. */
export type AgentServiceContract = {
  [M in MethodName]: (...args: MethodArgs<M>) => Promise<MethodResult<M>>;
} & {
  /** Calls back on every event; returns the unsubscribe function. */
  [E in EventName as EventProperty<E>]: (listener: (payload: EventPayload<E>) => void) => () => void;
};

export const METHOD_NAMES = Object.keys(AGENT_METHODS) as MethodName[];
export const EVENT_NAMES = Object.keys(AGENT_EVENTS) as EventName[];

export function eventProperty<E extends EventName>(event: E): EventProperty<E> {
  return `on${event.charAt(0).toUpperCase()}${event.slice(1)}` as EventProperty<E>;
}

/** The name as transports spell it in channels and paths: checkInNow -> check-in-now. */
export function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}
