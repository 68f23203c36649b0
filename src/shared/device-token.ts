// Short-lived ES256 JWTs a device signs with its own key to authenticate every device API call (DESIGN.md §2).
import { randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify, importJWK, decodeJwt } from 'jose';
import { CLOCK_SKEW_SECONDS, DEVICE_TOKEN_AUDIENCE, DEVICE_TOKEN_MAX_AGE_SECONDS, type DevicePublicJwk } from './protocol';

const TOKEN_LIFETIME_SECONDS = 60;

/** Subject of the proof-of-possession token sent with an enrollment, before a device id exists. */
export const ENROLL_SUBJECT = 'enroll';

export async function signDeviceToken(privateKey: KeyObject, subject: string, now: Date = new Date()): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
    .setSubject(subject)
    .setAudience(DEVICE_TOKEN_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + TOKEN_LIFETIME_SECONDS)
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
  await jwtVerify(token, key, {
    algorithms: ['ES256'],
    audience: DEVICE_TOKEN_AUDIENCE,
    subject,
    requiredClaims: ['iat', 'exp', 'jti'],
    maxTokenAge: DEVICE_TOKEN_MAX_AGE_SECONDS,
    clockTolerance: CLOCK_SKEW_SECONDS,
    currentDate: now,
  });
}
