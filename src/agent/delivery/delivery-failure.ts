// How the agent treats a failed device API call (issue 9): refused for good, not allowed, or worth trying again later.
import { DeviceApiError } from '../transport/device-api-client';

/**
 * `rejected`: the server refused what was sent (400, 404, 409, 413, 422); sending it again cannot help.
 * `unauthorized`: the server refused the device (401, 403: a retired device, a clock far off); nothing gets through.
 * `retry`: the server or the network failed (408, 429, 5xx including 503, no answer); the same call may work later.
 */
export type FailureKind = 'rejected' | 'unauthorized' | 'retry';

const REJECTED = new Set([400, 404, 409, 413, 422]);
const UNAUTHORIZED = new Set([401, 403]);

export function failureKindOf(error: unknown): FailureKind {
  if (!(error instanceof DeviceApiError) || error.status === null) return 'retry';
  if (REJECTED.has(error.status)) return 'rejected';
  if (UNAUTHORIZED.has(error.status)) return 'unauthorized';
  return 'retry';
}

/** How long the server asked the agent to wait before the next call, or null. */
export function retryAfterOf(error: unknown): number | null {
  return error instanceof DeviceApiError ? error.retryAfterMs : null;
}
