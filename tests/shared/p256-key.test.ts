// P-256 keys made through ECDH: valid, usable for ES256, and exportable as a JWK whatever their leading bytes.
import { createPublicKey, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateP256PrivateKey } from '../../src/shared/node/p256-key';

describe('generateP256PrivateKey', () => {
  it('makes distinct P-256 private keys that sign and verify', () => {
    const a = generateP256PrivateKey();
    const b = generateP256PrivateKey();
    expect(a.asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
    expect(a.export({ format: 'jwk' }).d).not.toBe(b.export({ format: 'jwk' }).d);
    const signature = sign('sha256', Buffer.from('ticket'), { key: a, dsaEncoding: 'ieee-p1363' });
    expect(verify('sha256', Buffer.from('ticket'), { key: createPublicKey(a), dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
    expect(verify('sha256', Buffer.from('ticket'), { key: createPublicKey(b), dsaEncoding: 'ieee-p1363' }, signature)).toBe(false);
  });

  it('keeps every private scalar 32 bytes, including those with leading zero bytes (about 1 in 128 keys)', () => {
    for (let i = 0; i < 2000; i++) {
      const jwk = generateP256PrivateKey().export({ format: 'jwk' });
      expect(Buffer.from(jwk.d!, 'base64url')).toHaveLength(32);
    }
  });
});
