// Enrollment with username + registration PIN (DESIGN.md §2): proof that the device holds its key, then a single-use PIN.
import { randomUUID } from 'node:crypto';
import { ENROLL_SUBJECT, verifyDeviceToken } from '../../shared/node/device-token';
import type { EnrollRequest, EnrollResponse } from '../../shared/protocol';
import { loadDeviceAssignments } from '../configurations/device-assignments';
import { insertDevice } from '../devices/device-queries';
import { HttpError, unauthorized } from '../app/http-errors';
import { consumeRegistrationPin, matchRegistrationPin } from '../devices/registration-pins';
import type { ServerContext } from '../app/server-context';

const WRONG_CREDENTIALS = 'The username or registration PIN is wrong, already used or expired; ask your administrator for a new PIN.';
const PIN_LOCKED = 'The registration PIN is locked after too many wrong attempts; ask your administrator for a new PIN.';

/** Enrolls a device; `proofToken` is the JWT with subject ENROLL_SUBJECT signed by the key in the request. */
export async function enrollDevice(ctx: ServerContext, request: EnrollRequest, proofToken: string | null): Promise<EnrollResponse> {
  const now = ctx.now();
  if (proofToken === null) {
    throw unauthorized('Enrollment requires Authorization: Bearer <jwt> signed by the device key being enrolled.');
  }
  try {
    await verifyDeviceToken(proofToken, request.publicKey, ENROLL_SUBJECT, now);
  } catch {
    throw unauthorized('The enrollment token is not signed by the device key in the request, or it has expired.');
  }
  const match = await matchRegistrationPin(ctx.db, ctx.tenant.id, request.username, request.pin, now);
  if (match === 'locked') throw new HttpError(423, 'pin_locked', PIN_LOCKED);
  if (match === 'wrong') throw unauthorized(WRONG_CREDENTIALS);

  const deviceId = randomUUID();
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await consumeRegistrationPin(trx, match.pinId, now))) throw unauthorized(WRONG_CREDENTIALS);
    await insertDevice(trx, {
      id: deviceId,
      tenant_id: ctx.tenant.id,
      user_id: match.userId,
      name: request.device.name,
      status: 'active',
      public_jwk: JSON.stringify(request.publicKey),
      facts: JSON.stringify(request.device),
      enrolled_at: now.toISOString(),
      last_checkin_at: null,
      agent_version: request.device.agentVersion,
      os_version: request.device.osVersion,
    });
  });
  const assignments = await loadDeviceAssignments(ctx.db, { id: deviceId, tenantId: ctx.tenant.id, userId: match.userId });
  return {
    deviceId,
    tenantId: ctx.tenant.id,
    tenantRootCertificate: ctx.tenant.rootCertificatePem,
    agentConfig: assignments.agentConfiguration?.settings ?? null,
  };
}
