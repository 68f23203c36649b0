// The agent service's names without its schemas: methods and their kinds, events, error codes. The UI's first chunk needs only these, not zod.

/**
 * Each method of the service by its kind; agent-service-contract.ts gives each one its schemas, with the same kind.
 *
 * A `read` changes nothing and takes no arguments (the HTTP transports serve it as a GET); a `query` changes nothing
 * but takes arguments (a POST, its arguments in the body); a `change` may take arguments and do work (a POST).
 */
export const METHOD_KINDS = {
  getStatus: 'read',
  checkInNow: 'change',
  enroll: 'change',
  getVersionInfo: 'read',
  getCatalog: 'query',
  getAppDetails: 'query',
  getReviews: 'query',
  saveReview: 'change',
  installApp: 'change',
  getInstalls: 'read',
  retireDevice: 'change',
  getOnboarding: 'read',
  retryOnboarding: 'change',
  finishOnboarding: 'change',
} as const satisfies Record<string, 'read' | 'query' | 'change'>;

/** Each event of the service, with the read method that gives its current value. */
export const EVENT_CURRENT = {
  statusChanged: 'getStatus',
  installsChanged: 'getInstalls',
  onboardingChanged: 'getOnboarding',
} as const satisfies Record<string, keyof typeof METHOD_KINDS>;

export type MethodName = keyof typeof METHOD_KINDS;
export type EventName = keyof typeof EVENT_CURRENT;

export const METHOD_NAMES = Object.keys(METHOD_KINDS) as MethodName[];
export const EVENT_NAMES = Object.keys(EVENT_CURRENT) as EventName[];

/** The subscription property of an event: statusChanged -> onStatusChanged. */
export type EventProperty<E extends EventName> = `on${Capitalize<E>}`;

export function eventProperty<E extends EventName>(event: E): EventProperty<E> {
  return `on${event.charAt(0).toUpperCase()}${event.slice(1)}` as EventProperty<E>;
}

/** The name as transports spell it in channels and paths: checkInNow -> check-in-now. */
export function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/**
 * Why a method failed, as a closed list: every transport carries the code, and each UI shows its own translated
 * sentence per code (the English message is for logs and the command line).
 */
export const SERVICE_ERROR_CODES = [
  'wrong_pin',
  'pin_locked',
  'rate_limited',
  'server_unreachable',
  'not_atwork_server',
  'already_enrolled',
  'not_enrolled',
  'not_found',
  'invalid_input',
  'install_failed',
  'retired',
  'unknown',
] as const;
export type ServiceErrorCode = (typeof SERVICE_ERROR_CODES)[number];

/** Longest message an HTTP transport's error body may carry. */
export const MAX_SERVICE_ERROR_MESSAGE = 2000;

/** A failure of the service the caller can act on: one code and a one-sentence English message. */
export class ServiceError extends Error {
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ServiceError';
  }

  /**
   * Carries the code in the text: Electron's ipcMain.handle sends the renderer only `String(error)` of a rejection,
   * and serviceErrorOf reads the code back from it.
   */
  override toString(): string {
    return `ServiceError[${this.code}]: ${this.message}`;
  }
}

const SERVICE_ERROR_TEXT = /ServiceError\[([a-z_]+)\]: ([\s\S]*)$/;

/**
 * The ServiceError a rejection of any transport stands for: itself, the one IPC spelled out in its message
 * ("Error invoking remote method '…': ServiceError[wrong_pin]: …"), or 'unknown' with the error's message.
 */
export function serviceErrorOf(error: unknown): ServiceError {
  if (error instanceof ServiceError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const match = SERVICE_ERROR_TEXT.exec(message);
  const code = SERVICE_ERROR_CODES.find((c) => c === match?.[1]);
  return code === undefined ? new ServiceError('unknown', message) : new ServiceError(code, match?.[2] ?? message);
}

/**
 * The ServiceError an HTTP transport's error body (`{ error: { code, message } }`, ServiceErrorBodySchema) stands for,
 * or null when the body is not one.
 */
export function serviceErrorFromBody(body: unknown): ServiceError | null {
  const error: unknown = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  if (typeof error !== 'object' || error === null) return null;
  const { code, message } = error as { code?: unknown; message?: unknown };
  const known = SERVICE_ERROR_CODES.find((c) => c === code);
  if (known === undefined || typeof message !== 'string' || message.length > MAX_SERVICE_ERROR_MESSAGE) return null;
  return new ServiceError(known, message);
}
