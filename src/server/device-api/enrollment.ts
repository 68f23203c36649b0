// Enrollment (DESIGN.md §2): proof that the device holds its key, then a single-use PIN of a user, or an enrollment token an administrator made (issue 12).
import { randomUUID } from 'node:crypto';
import { ENROLL_SUBJECT, verifyDeviceToken } from '../../shared/node/device-token';
import { sha256Hex } from '../../shared/node/blob-cipher';
import type { EnrollRequest, EnrollResponse } from '../../shared/protocol';
import { loadDeviceAssignments } from '../configurations/device-assignments';
import type { Db } from '../db/database';
import { insertDevice, type EnrollmentMethod } from '../devices/device-queries';
import { claimLiveEnrollmentToken } from '../devices/enrollment-token-queries';
import { HttpError, unauthorized } from '../app/http-errors';
import { consumeRegistrationPin, matchRegistrationPin } from '../devices/registration-pins';
import type { ServerContext } from '../app/server-context';

const WRONG_CREDENTIALS = 'The username or registration PIN is wrong, already used or expired; ask your administrator for a new PIN.';
const PIN_LOCKED = 'The registration PIN is locked after too many wrong attempts; ask your administrator for a new PIN.';
export const UNUSABLE_ENROLLMENT_TOKEN = 'The enrollment token is unknown, revoked or expired; ask your administrator for a new one.';

/** Who a device is enrolled for and how. */
interface Enrollment {
  method: EnrollmentMethod;
  tokenId: string | null;
  /** Null when the token names no user: the device has none until an administrator assigns one. */
  userId: string | null;
}

/** Enrolls a device; `proofToken` is the JWT with subject ENROLL_SUBJECT signed by the key in the request. */
export async function enrollDevice(ctx: ServerContext, request: EnrollRequest, proofToken: string | null): Promise<EnrollResponse> {
  const now = ctx.now();
  if (proofToken === null) {
    throw unauthorized('Enrollment requires Authorization: Bearer <jwt> signed by the device key being enrolled.');
  }
  try {
    await verifyDeviceToken(proofToken, request.publicKey, ENROLL_SUBJECT, now);
  } catch {
    throw unauthorized('The enrollment proof (the Bearer JWT) is not signed by the device key in the request, or it has expired.');
  }

  // Runs in the transaction that inserts the device, and refuses by throwing: a PIN is used up, a token checked live there.
  let claim: (trx: Db) => Promise<Enrollment>;
  if (request.method === 'pin') {
    const match = await matchRegistrationPin(ctx.db, ctx.tenant.id, request.username, request.pin, now);
    if (match === 'locked') throw new HttpError(423, 'pin_locked', PIN_LOCKED);
    if (match === 'wrong') throw unauthorized(WRONG_CREDENTIALS);
    claim = async (trx) => {
      if (!(await consumeRegistrationPin(trx, match.pinId, now))) throw unauthorized(WRONG_CREDENTIALS);
      return { method: 'pin', tokenId: null, userId: match.userId };
    };
  } else {
    // Looked up by its sha256, so there is no stored token for a timing attack to compare against; the token stays usable for more devices.
    const tokenHash = sha256Hex(request.token);
    claim = async (trx) => {
      const token = await claimLiveEnrollmentToken(trx, ctx.tenant.id, tokenHash, now);
      if (!token) throw unauthorized(UNUSABLE_ENROLLMENT_TOKEN);
      return { method: 'automated', tokenId: token.id, userId: token.userId };
    };
  }

  const deviceId = randomUUID();
  const enrollment = await ctx.db.transaction().execute(async (trx) => {
    const claimed = await claim(trx);
    await insertDevice(trx, {
      id: deviceId,
      tenant_id: ctx.tenant.id,
      user_id: claimed.userId,
      name: request.device.name,
      status: 'active',
      public_jwk: JSON.stringify(request.publicKey),
      facts: JSON.stringify(request.device),
      enrolled_at: now.toISOString(),
      last_checkin_at: null,
      agent_version: request.device.agentVersion,
      os_version: request.device.osVersion,
      enrollment_method: claimed.method,
      enrollment_token_id: claimed.tokenId,
    });
    return claimed;
  });
  const assignments = await loadDeviceAssignments(ctx.db, { id: deviceId, tenantId: ctx.tenant.id, userId: enrollment.userId });
  return {
    deviceId,
    tenantId: ctx.tenant.id,
    tenantRootCertificate: ctx.tenant.rootCertificatePem,
    agentConfig: assignments.agentConfiguration?.settings ?? null,
  };
}
