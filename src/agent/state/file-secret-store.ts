// The Node SecretStore: the device private key as a PEM file readable by its owner only (0600) in the state folder.
import { constants } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file';
import { ensurePrivateDir } from './file-state-store';
import type { SecretStore } from '../core/ports';

/** A P-256 PKCS#8 PEM is about 250 bytes; a key file far larger is not one this agent wrote. */
const MAX_KEY_FILE_BYTES = 16 * 1024;

export class FileSecretStore implements SecretStore {
  private readonly keyPath: string;

  constructor(private readonly stateDir: string) {
    this.keyPath = join(stateDir, 'device-key.pem');
  }

  /**
   * Reads the key, refusing a file that may have been copied or swapped: readable by others, owned by another user,
   * not a regular file, or a symlink (O_NOFOLLOW, and the checks run on the opened file, so nothing can change between).
   */
  async readDeviceKeyPem(): Promise<string | null> {
    let handle;
    try {
      handle = await open(this.keyPath, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return null;
      if (code === 'ELOOP') throw new Error(`device key ${this.keyPath} is a symlink; re-enroll this device`);
      throw error;
    }
    try {
      const info = await handle.stat();
      if (!info.isFile() || info.size > MAX_KEY_FILE_BYTES) throw new Error(`device key ${this.keyPath} is not a key file; re-enroll this device`);
      if ((info.mode & 0o077) !== 0) throw new Error(`device key ${this.keyPath} is readable by others; re-enroll this device`);
      if (process.getuid !== undefined && info.uid !== process.getuid()) {
        throw new Error(`device key ${this.keyPath} belongs to another user; re-enroll this device`);
      }
      return await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  }

  async writeDeviceKeyPem(pem: string): Promise<void> {
    await ensurePrivateDir(this.stateDir);
    await writeFileAtomic(this.keyPath, pem, 0o600);
  }

  async deleteDeviceKey(): Promise<void> {
    await rm(this.keyPath, { force: true });
  }
}
