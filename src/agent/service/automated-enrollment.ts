// Automated enrollment at the agent's start: the server and token the PKG left (enrollment-file.ts), tried at every
// check-in round until the server has answered, kept across restarts while it cannot be reached.
import { ServiceError } from '../../shared/agent-service-contract';
import type { Logger } from '../core/ports';
import { messageOf } from '../core/error-message';

/** The pending automated enrollment, wherever it is kept; the Node agent's is the PKG's file taken into the state folder. */
export interface EnrollmentInbox {
  /** The enrollment to try, or null when there is none; throws when the file was there but refused. */
  take(): Promise<{ serverUrl: string; token: string } | null>;
  /** Forgets the pending enrollment: it enrolled the device, or the server refused it for good. */
  settle(): Promise<void>;
}

/** Refusals that may pass (the server down, too many requests, its fault): the enrollment is kept and tried next round. */
const RETRIED = new Set(['server_unreachable', 'rate_limited', 'unknown']);

/**
 * Tries the pending enrollment once; resolves with the problem to show in the status, or null when there was nothing
 * to do or it enrolled the device.
 */
export async function enrollFromInbox(
  inbox: EnrollmentInbox,
  enroll: (params: { serverUrl: string; token: string }) => Promise<{ deviceId: string }>,
  logger: Logger,
): Promise<string | null> {
  let pending: { serverUrl: string; token: string } | null;
  try {
    pending = await inbox.take();
  } catch (error) {
    logger.error('automated enrollment file refused', { reason: messageOf(error) });
    return `automated enrollment: ${messageOf(error)}`;
  }
  if (pending === null) return null;
  try {
    const { deviceId } = await enroll(pending);
    await inbox.settle();
    logger.info('enrolled automatically', { serverUrl: pending.serverUrl, deviceId });
    return null;
  } catch (error) {
    const retried = error instanceof ServiceError && RETRIED.has(error.code);
    if (!retried) await inbox.settle();
    logger.error('automated enrollment failed', { serverUrl: pending.serverUrl, reason: messageOf(error), retried });
    return `automated enrollment with ${pending.serverUrl}: ${messageOf(error)}${retried ? ' (tried again at the next check-in)' : ''}`;
  }
}
