// Device token lifetimes (issue 9): at most 60 s from iat to exp, and the clock skew spent once, 60 s before iat and 60 s after exp.
import { createPublicKey, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { signDeviceToken, verifyDeviceToken } from '../../src/shared/node/device-token';
import { generateP256PrivateKey } from '../../src/shared/node/p256-key';
import { DEVICE_TOKEN_AUDIENCE, DevicePublicJwkSchema } from '../../src/shared/protocol';

const privateKey = generateP256PrivateKey();
const publicKey = createPublicKey(privateKey);
const jwk = DevicePublicJwkSchema.parse(publicKey.export({ format: 'jwk' }));
const SIGNED_AT = new Date('2026-12-01T12:00:00.000Z');
const at = (seconds: number) => new Date(SIGNED_AT.getTime() + seconds * 1000);
const iatOf = (seconds: number) => Math.floor(at(seconds).getTime() / 1000);

function token(iat: number, exp: number): Promise<string> {
  return new SignJWT({}).setProtectedHeader({ alg: 'ES256', typ: 'JWT' }).setSubject('device').setAudience(DEVICE_TOKEN_AUDIENCE).setIssuedAt(iat).setExpirationTime(exp).setJti(randomUUID()).sign(privateKey);
}

const accepted = async (jwt: string, now: Date) =>
  verifyDeviceToken(jwt, jwk, 'device', now).then(
    () => true,
    () => false,
  );

describe('device token lifetimes', () => {
  it('refuses a token that lives longer than 60 s, however recent its iat', async () => {
    const iat = iatOf(0);
    expect(await accepted(await token(iat, iat + 365 * 24 * 3600), at(1))).toBe(false);
    expect(await accepted(await token(iat, iat + 61), at(1))).toBe(false);
    expect(await accepted(await token(iat, iat + 60), at(1))).toBe(true);
    expect(await accepted(await token(iat, iat), at(0))).toBe(false);
  });

  it('accepts an iat at most 60 s in the future', async () => {
    expect(await accepted(await token(iatOf(110), iatOf(170)), at(0))).toBe(false);
    expect(await accepted(await token(iatOf(61), iatOf(121)), at(0))).toBe(false);
    expect(await accepted(await token(iatOf(60), iatOf(120)), at(0))).toBe(true);
  });

  it('accepts a normal 60 s token until 120 s after it was signed, not 170 s', async () => {
    const jwt = await signDeviceToken(privateKey, 'device', SIGNED_AT);
    expect(await accepted(jwt, at(0))).toBe(true);
    expect(await accepted(jwt, at(119.9))).toBe(true);
    expect(await accepted(jwt, at(120))).toBe(false);
    expect(await accepted(jwt, at(170))).toBe(false);
  });

  it('accepts one token during 180 s of the server clock at most: 60 s before iat to 60 s after exp', async () => {
    const jwt = await signDeviceToken(privateKey, 'device', SIGNED_AT);
    const window = [];
    for (let s = -100; s <= 200; s += 1) if (await accepted(jwt, at(s))) window.push(s);
    expect([window[0], window[window.length - 1], window.length]).toEqual([-60, 119, 180]);
  });
});
