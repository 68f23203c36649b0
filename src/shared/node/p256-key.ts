// Generates P-256 private keys without Node 20's generateKeyPairSync, which can deadlock on a later export of the key.
import { createECDH, createPrivateKey, type KeyObject } from 'node:crypto';

/**
 * A new P-256 private key.
 *
 * Node 20 can deadlock when exporting a key made by generateKeyPairSync while the garbage collector destroys its key
 * generation job (both take the key-data mutex; seen here after ~6,000 keys, fixed upstream later). ECDH makes the key
 * material without such a job, so the key can be exported freely.
 */
export function generateP256PrivateKey(): KeyObject {
  const ecdh = createECDH('prime256v1');
  const point = ecdh.generateKeys();
  // getPrivateKey drops leading zero bytes; a JWK's d is always 32.
  const raw = ecdh.getPrivateKey();
  const d = Buffer.concat([Buffer.alloc(32 - raw.length), raw]);
  const jwk = { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33, 65).toString('base64url'), d: d.toString('base64url') };
  return createPrivateKey({ key: jwk, format: 'jwk' });
}
