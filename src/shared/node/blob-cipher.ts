// Script blob encryption: AES-256-GCM with a random content key; layout is iv(12) || ciphertext || tag(16).
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SealedBlob {
  blob: Buffer;
  /** 32-byte content key, base64url. */
  key: string;
  /** sha256 of the encrypted blob, hex: what the ticket signs. */
  sha256: string;
}

export function sealBlob(plaintext: Buffer): SealedBlob {
  const key = randomBytes(32);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const blob = Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { blob, key: key.toString('base64url'), sha256: sha256Hex(blob) };
}

/** Decrypts a blob; throws when the key is wrong or any byte was changed. */
export function openBlob(blob: Buffer, keyB64u: string): Buffer {
  const key = Buffer.from(keyB64u, 'base64url');
  if (key.length !== 32) throw new Error('content key is not 32 bytes');
  if (blob.length < IV_BYTES + TAG_BYTES) throw new Error('blob is shorter than its header');
  const iv = blob.subarray(0, IV_BYTES);
  const tag = blob.subarray(blob.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(blob.subarray(IV_BYTES, blob.length - TAG_BYTES)), decipher.final()]);
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}
