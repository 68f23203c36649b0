// The app's SecretStore: the device private key encrypted with Electron safeStorage (the macOS Keychain), never on disk in the clear.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { SafeStorage } from 'electron';
import { writeFileAtomic } from '../agent/state/atomic-file';
import { ensurePrivateDir } from '../agent/state/file-state-store';
import type { SecretStore } from '../agent/core/ports';

/** The part of Electron's safeStorage this store uses; passed in so the store runs under plain Node with a fake. */
export type SafeStorageApi = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'>;

export const SAFE_STORAGE_KEY_FILE = 'device-key.safe';

export class SafeStorageSecretStore implements SecretStore {
  private readonly keyPath: string;

  constructor(
    private readonly safeStorage: SafeStorageApi,
    private readonly stateDir: string,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {
    this.keyPath = join(stateDir, SAFE_STORAGE_KEY_FILE);
  }

  async readDeviceKeyPem(): Promise<string | null> {
    let sealed: string;
    try {
      sealed = await readFile(this.keyPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    this.requireEncryption();
    try {
      return this.safeStorage.decryptString(Buffer.from(sealed.trim(), 'base64'));
    } catch {
      throw new Error(`device key ${this.keyPath} cannot be decrypted by this user's keychain; re-enroll this device`);
    }
  }

  async writeDeviceKeyPem(pem: string): Promise<void> {
    this.requireEncryption();
    const sealed = this.safeStorage.encryptString(pem);
    await ensurePrivateDir(this.stateDir);
    await writeFileAtomic(this.keyPath, `${sealed.toString('base64')}\n`, 0o600);
  }

  async deleteDeviceKey(): Promise<void> {
    await rm(this.keyPath, { force: true });
  }

  /** Refuses to fall back to no or obfuscation-only encryption (Linux without a keyring): the key would be as good as in the clear. */
  private requireEncryption(): void {
    if (!this.safeStorage.isEncryptionAvailable()) {
      throw new Error('safeStorage encryption is not available (no keychain for this user); the device key cannot be stored safely');
    }
    if (this.platform === 'linux' && this.safeStorage.getSelectedStorageBackend() === 'basic_text') {
      throw new Error('safeStorage has no keyring here (basic_text); the device key cannot be stored safely');
    }
  }
}
