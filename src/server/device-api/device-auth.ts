// Device API authentication: a short-lived JWT signed with the device's own key, checked against the key stored at enrollment.
import type { FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { DevicePublicJwkSchema, type DevicePublicJwk } from '../../shared/protocol';
import { unverifiedSubject, verifyDeviceToken } from '../../shared/node/device-token';
import { bearerToken } from '../admin-api/bearer-token';
import type { ServerContext } from '../app/server-context';
import { HttpError, unauthorized } from '../app/http-errors';

export interface AuthenticatedDevice {
  id: string;
  tenantId: string;
  /** Null for a device enrolled without a user. */
  userId: string | null;
  publicJwk: DevicePublicJwk;
  /** The retire command its check-ins carry while an admin's retire request waits for its confirmation (issue 13); null otherwise. */
  retireCommandId: string | null;
}

const devices = new WeakMap<FastifyRequest, AuthenticatedDevice>();
/** A device token is about 400 characters; a much longer one is refused before it is decoded. */
const MAX_DEVICE_TOKEN_CHARS = 2048;

async function authenticate(ctx: ServerContext, header: string | undefined): Promise<AuthenticatedDevice> {
  const token = bearerToken(header);
  if (token === null) throw unauthorized('A device token is required: send Authorization: Bearer <jwt>.');
  if (token.length > MAX_DEVICE_TOKEN_CHARS) throw unauthorized('The device token is too long to be one; send the JWT the agent signed.');
  const deviceId = unverifiedSubject(token);
  const row =
    deviceId === null
      ? undefined
      : await ctx.db
          .selectFrom('devices')
          .select(['id', 'tenant_id', 'user_id', 'public_jwk', 'status', 'retired_at', 'retire_command_id'])
          .where('id', '=', deviceId)
          .executeTakeFirst();
  if (!row) throw unauthorized('The device token does not name an enrolled device; enroll again.');
  const publicJwk = DevicePublicJwkSchema.parse(JSON.parse(row.public_jwk));
  try {
    await verifyDeviceToken(token, publicJwk, row.id, ctx.now());
  } catch {
    throw unauthorized('The device token is not valid: check its signature, audience, lifetime and the device clock.');
  }
  // Retired devices are refused here: retiring revokes the device key (DESIGN.md §2). Told apart only to the key's
  // holder, so its agent knows it was retired (a forced retire, or a confirmation whose answer it missed).
  if (row.status === 'retired') throw new HttpError(401, 'device_retired', `This device was retired${row.retired_at === null ? '' : ` at ${row.retired_at}`}; enroll it again to use it.`);
  return { id: row.id, tenantId: row.tenant_id, userId: row.user_id, publicJwk, retireCommandId: row.status === 'retire_pending' ? row.retire_command_id : null };
}

/** An onRequest hook that rejects a request not signed by an active or retire-pending device, before its body is parsed. */
export function deviceTokenHook(ctx: ServerContext): onRequestAsyncHookHandler {
  return async (request) => {
    devices.set(request, await authenticate(ctx, request.headers.authorization));
  };
}

/** The device that signed an authenticated device request. */
export function authenticatedDevice(request: FastifyRequest): AuthenticatedDevice {
  const device = devices.get(request);
  if (device === undefined) throw new Error('authenticatedDevice called on a request that did not pass deviceTokenHook');
  return device;
}
