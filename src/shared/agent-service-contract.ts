// The agent service the UI uses, defined once as a method table (DESIGN.md §1): every transport is generated from it.
import { z } from 'zod';
import { EVENT_CURRENT, MAX_SERVICE_ERROR_MESSAGE, SERVICE_ERROR_CODES } from './agent-service-names';
import type { EventName, EventProperty, METHOD_KINDS, MethodName } from './agent-service-names';
import { AgentStatusSchema } from './agent-status';
import { Text } from './input-bounds';
import { OnboardingViewSchema } from './onboarding-view';
import {
  AppDetailsSchema,
  CatalogPageSchema,
  CatalogQuerySchema,
  ReviewInputSchema,
  ReviewPageSchema,
  ReviewQuerySchema,
  ReviewSchema,
} from './catalog-protocol';
import { PinEnrollRequestSchema } from './protocol';

// The names, kinds and errors live without zod in agent-service-names.ts (the UI's first chunk takes only them);
// everyone else imports them from here with the schemas.
export { EVENT_NAMES, eventProperty, kebabCase, METHOD_NAMES, SERVICE_ERROR_CODES, ServiceError, serviceErrorOf } from './agent-service-names';
export type { EventName, EventProperty, MethodName, ServiceErrorCode } from './agent-service-names';

type MethodKind = 'read' | 'query' | 'change';

/** One method of the service: its kind (see METHOD_KINDS), arguments and result. Every method is async for its callers, whichever process answers it. */
export interface MethodSpec<Args extends z.ZodTuple = z.ZodTuple, Result extends z.ZodType = z.ZodType, Kind extends MethodKind = MethodKind> {
  kind: Kind;
  args: Args;
  result: Result;
}

/** One event of the service: what each listener gets, and the read method that gives its current value, if any. */
export interface EventSpec<Payload extends z.ZodType = z.ZodType> {
  payload: Payload;
  current?: MethodName;
}

function read<Result extends z.ZodType>(result: Result): MethodSpec<z.ZodTuple<[], null>, Result, 'read'> {
  return { kind: 'read', args: z.tuple([]), result };
}

function query<Args extends z.ZodTuple, Result extends z.ZodType>(args: Args, result: Result): MethodSpec<Args, Result, 'query'> {
  return { kind: 'query', args, result };
}

function change<Args extends z.ZodTuple, Result extends z.ZodType>(args: Args, result: Result): MethodSpec<Args, Result, 'change'> {
  return { kind: 'change', args, result };
}

/** What the UI enrolls with; bounded like the server's enrollment request, so a refusal comes before any network call. */
export const EnrollParamsSchema = z.object({
  serverUrl: Text(2048).min(1),
  username: PinEnrollRequestSchema.shape.username,
  pin: PinEnrollRequestSchema.shape.pin,
});
export type EnrollParams = z.infer<typeof EnrollParamsSchema>;

export const EnrollResultSchema = z.object({ deviceId: z.string().min(1).max(128) });
export type EnrollResult = z.infer<typeof EnrollResultSchema>;

const AppIdSchema = z.string().min(1).max(64);

/** Where one app's install is, as the UI shows it: bytes while downloading, then installing, then the outcome. */
export const InstallProgressSchema = z.object({
  appId: AppIdSchema,
  name: Text(200),
  version: Text(50),
  phase: z.enum(['downloading', 'verifying', 'installing', 'installed', 'failed']),
  receivedBytes: z.number().int().min(0),
  totalBytes: z.number().int().min(0),
  /** Why it failed, in one sentence (the installer's own message where it gave one); null otherwise. */
  message: z.string().max(1000).nullable(),
  startedAt: z.iso.datetime({ offset: true }),
  endedAt: z.iso.datetime({ offset: true }).nullable(),
});
export type InstallProgress = z.infer<typeof InstallProgressSchema>;

export const RetireResultSchema = z.object({ retiredAt: z.iso.datetime({ offset: true }) });

/** The JSON body an HTTP transport answers a ServiceError with. */
export const ServiceErrorBodySchema = z.object({ error: z.object({ code: z.enum(SERVICE_ERROR_CODES), message: z.string().max(MAX_SERVICE_ERROR_MESSAGE) }) });

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
  /** One page of the apps distributed to this device, searched and filtered by category. */
  getCatalog: query(z.tuple([CatalogQuerySchema]), CatalogPageSchema),
  /** An app's details: description, screenshots, rating summary, the user's own review, its install state. */
  getAppDetails: query(z.tuple([AppIdSchema]), AppDetailsSchema),
  /** One page of an app's reviews, newest first. */
  getReviews: query(z.tuple([AppIdSchema, ReviewQuerySchema]), ReviewPageSchema),
  /** Writes the user's review of an app, or replaces it: one review per user per app. */
  saveReview: change(z.tuple([AppIdSchema, ReviewInputSchema]), ReviewSchema),
  /** Starts installing an app, or answers the install of it already under way. */
  installApp: change(z.tuple([AppIdSchema]), InstallProgressSchema),
  /** The installs under way and the latest outcome of each app installed since the agent started. */
  getInstalls: read(z.array(InstallProgressSchema).max(1000)),
  /** Asks the server to retire this device (About > Uninstall); resolves once the server has marked it retired. */
  retireDevice: change(z.tuple([]), RetireResultSchema),
  /** The kiosk onboarding after an automated enrollment while it is shown; null when there is none to show. */
  getOnboarding: read(OnboardingViewSchema.nullable()),
  /** Tries the failed onboarding steps again, with the full timeout; refused when none failed. */
  retryOnboarding: change(z.tuple([]), OnboardingViewSchema.nullable()),
  /** The user leaves the end screen: the kiosk closes, and the landing page opens when one is set. */
  finishOnboarding: change(z.tuple([]), OnboardingViewSchema.nullable()),
} satisfies { [M in MethodName]: MethodSpec<z.ZodTuple, z.ZodType, (typeof METHOD_KINDS)[M]> };

/** The events of the agent service; each is an `onX` subscription on the service (VS Code's convention). */
export const AGENT_EVENTS = {
  /** After every change of what getStatus returns. */
  statusChanged: { payload: AgentStatusSchema, current: EVENT_CURRENT.statusChanged },
  /** After every change of an install's progress, at most a few times a second while bytes arrive. */
  installsChanged: { payload: z.array(InstallProgressSchema).max(1000), current: EVENT_CURRENT.installsChanged },
  /** After every change of what getOnboarding returns, and each second of its countdown while it runs. */
  onboardingChanged: { payload: OnboardingViewSchema.nullable(), current: EVENT_CURRENT.onboardingChanged },
} satisfies { [E in EventName]: EventSpec };

export type MethodArgs<M extends MethodName> = z.infer<(typeof AGENT_METHODS)[M]['args']>;
export type MethodResult<M extends MethodName> = z.infer<(typeof AGENT_METHODS)[M]['result']>;
export type EventPayload<E extends EventName> = z.infer<(typeof AGENT_EVENTS)[E]['payload']>;

/** The agent service as every UI sees it: what AgentService implements and every transport's client provides. */
export type AgentServiceContract = {
  [M in MethodName]: (...args: MethodArgs<M>) => Promise<MethodResult<M>>;
} & {
  /** Calls back on every event; returns the unsubscribe function. */
  [E in EventName as EventProperty<E>]: (listener: (payload: EventPayload<E>) => void) => () => void;
};
