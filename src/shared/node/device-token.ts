// Short-lived ES256 JWTs a device signs with its own key to authenticate every device API call (DESIGN.md §2).
import { randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify, importJWK, decodeJwt } from 'jose';
import { CLOCK_SKEW_SECONDS, DEVICE_TOKEN_AUDIENCE, DEVICE_TOKEN_LIFETIME_SECONDS, type DevicePublicJwk } from '../protocol';

/**
 * The clock skew is spent once per token, half before `iat` and half after `exp` (issue 9): a token is accepted from
 * iat - 60 s to exp + 60 s on the server's clock, so at most lifetime + skew = 180 s, for devices within ±60 s.
 */
const SKEW_EACH_SIDE_SECONDS = CLOCK_SKEW_SECONDS / 2;

/** Subject of the proof-of-possession token sent with an enrollment, before a device id exists. */
export const ENROLL_SUBJECT = 'enroll';

export async function signDeviceToken(privateKey: KeyObject, subject: string, now: Date = new Date()): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
    .setSubject(subject)
    .setAudience(DEVICE_TOKEN_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + DEVICE_TOKEN_LIFETIME_SECONDS)
    .setJti(randomUUID())
    .sign(privateKey);
}

/** The `sub` of a token, read without verifying, only to find which key to verify it with. */
export function unverifiedSubject(token: string): string | null {
  try {
    const sub = decodeJwt(token).sub;
    return typeof sub === 'string' && sub.length <= 128 ? sub : null;
  } catch {
    return null;
  }
}

/** Verifies a device token against the key stored at enrollment; throws when it is not valid for `subject`. */
export async function verifyDeviceToken(token: string, publicJwk: DevicePublicJwk, subject: string, now: Date = new Date()): Promise<void> {
  const key = await importJWK({ ...publicJwk }, 'ES256');
  // jose checks `exp` with the tolerance after it; the lifetime and the tolerance before `iat` are checked here.
  const { payload } = await jwtVerify(token, key, {
    algorithms: ['ES256'],
    audience: DEVICE_TOKEN_AUDIENCE,
    subject,
    requiredClaims: ['iat', 'exp', 'jti'],
    clockTolerance: SKEW_EACH_SIDE_SECONDS,
    currentDate: now,
  });
  const { iat, exp } = payload as { iat: number; exp: number };
  if (!Number.isInteger(iat) || !Number.isInteger(exp) || exp <= iat || exp - iat > DEVICE_TOKEN_LIFETIME_SECONDS) {
    throw new Error(`a device token must live at most ${DEVICE_TOKEN_LIFETIME_SECONDS} s (exp - iat); sign a new one`);
  }
  if (iat > Math.floor(now.getTime() / 1000) + SKEW_EACH_SIDE_SECONDS) throw new Error('the device token was signed in the future; check the device clock');
}
