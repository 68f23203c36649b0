// The Node SecretStore: the device private key as a PEM file readable by its owner only (0600) in the state folder.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-file';
import { ensurePrivateDir } from './file-state-store';
import type { SecretStore } from './ports';

export class FileSecretStore implements SecretStore {
  private readonly keyPath: string;

  constructor(private readonly stateDir: string) {
    this.keyPath = join(stateDir, 'device-key.pem');
  }

  async readDeviceKeyPem(): Promise<string | null> {
    try {
      // A key file others can read may have been copied; refuse it rather than keep using it.
      const info = await stat(this.keyPath);
      if ((info.mode & 0o077) !== 0) throw new Error(`device key ${this.keyPath} is readable by others; re-enroll this device`);
      return await readFile(this.keyPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async writeDeviceKeyPem(pem: string): Promise<void> {
    await ensurePrivateDir(this.stateDir);
    await writeFileAtomic(this.keyPath, pem, 0o600);
  }
}
