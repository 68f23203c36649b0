// Private keys at rest: AES-256-GCM under a key derived from the master key, bound to what the key is for.
import { createCipheriv, createDecipheriv, createPrivateKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';

const FORMAT = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Seals and opens private keys; `label` (e.g. "tenant:ID:root") is authenticated, so a sealed key cannot be moved to another role. */
export class PrivateKeyVault {
  private readonly wrappingKey: Buffer;

  constructor(masterKey: Buffer) {
    // A derived key, not the master key itself, so the master key can serve other purposes later without key reuse.
    this.wrappingKey = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'atwork private key vault v1', 32));
  }

  seal(privateKeyPem: string, label: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.wrappingKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(label, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(privateKeyPem, 'utf8'), cipher.final()]);
    return [FORMAT, iv, ciphertext, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  /** Opens a sealed key; a wrong master key, a changed byte or another label all fail the same way. */
  open(sealed: string, label: string): KeyObject {
    const [format, iv, ciphertext, tag, ...rest] = sealed.split('.');
    if (format !== FORMAT || iv === undefined || ciphertext === undefined || tag === undefined || rest.length > 0) {
      throw new Error(`The sealed key ${label} is not in a format this server reads.`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.wrappingKey, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(label, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      const pem = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
      return createPrivateKey(pem.toString('utf8'));
    } catch {
      throw new Error(`The key ${label} cannot be decrypted: the master key is not the one this data folder was created with.`);
    }
  }
}
