// Where the device private key lives (issue 4): a 0600 file that refuses to be copied or swapped, and Electron safeStorage (fake).
import { chmod, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateDeviceKey, privateKeyToPem } from '../../src/agent/enrollment/device-identity';
import { FileSecretStore } from '../../src/agent/state/file-secret-store';
import { SAFE_STORAGE_KEY_FILE, SafeStorageSecretStore, type SafeStorageApi } from '../../src/main/safe-storage-secret-store';
import { makeTempDir, removeDir } from './tamper-kit';

/** A safeStorage stand-in that records its calls and "encrypts" by XOR, so the test can tell sealed bytes from clear ones. */
class FakeSafeStorage implements SafeStorageApi {
  readonly calls: string[] = [];
  constructor(
    private available = true,
    private backend: ReturnType<SafeStorageApi['getSelectedStorageBackend']> = 'gnome_libsecret',
  ) {}
  isEncryptionAvailable(): boolean {
    this.calls.push('isEncryptionAvailable');
    return this.available;
  }
  getSelectedStorageBackend(): ReturnType<SafeStorageApi['getSelectedStorageBackend']> {
    return this.backend;
  }
  encryptString(plainText: string): Buffer {
    this.calls.push('encryptString');
    return Buffer.from(Buffer.from(plainText).map((b) => b ^ 0x5a));
  }
  decryptString(encrypted: Buffer): string {
    this.calls.push('decryptString');
    return Buffer.from(encrypted.map((b) => b ^ 0x5a)).toString();
  }
}

describe('secret stores', () => {
  let dir: string;
  const pem = privateKeyToPem(generateDeviceKey());
  beforeEach(async () => {
    dir = await makeTempDir('atwork-secrets-');
  });
  afterEach(async () => {
    await removeDir(dir);
  });

  describe('FileSecretStore', () => {
    it('writes the key 0600 in a 0700 folder and reads it back', async () => {
      const store = new FileSecretStore(path.join(dir, 'state'));
      await store.writeDeviceKeyPem(pem);
      expect((await stat(path.join(dir, 'state'))).mode & 0o777).toBe(0o700);
      expect((await stat(path.join(dir, 'state', 'device-key.pem'))).mode & 0o777).toBe(0o600);
      expect(await store.readDeviceKeyPem()).toBe(pem);
    });

    it('refuses a key file others can read', async () => {
      const store = new FileSecretStore(dir);
      await store.writeDeviceKeyPem(pem);
      await chmod(path.join(dir, 'device-key.pem'), 0o644);
      await expect(store.readDeviceKeyPem()).rejects.toThrow(/readable by others/);
    });

    it('refuses a symlink planted in place of the key', async () => {
      await writeFile(path.join(dir, 'elsewhere.pem'), pem, { mode: 0o600 });
      await symlink(path.join(dir, 'elsewhere.pem'), path.join(dir, 'device-key.pem'));
      await expect(new FileSecretStore(dir).readDeviceKeyPem()).rejects.toThrow(/is a symlink/);
    });

    it('refuses a folder in place of the key', async () => {
      await mkdir(path.join(dir, 'device-key.pem'), { mode: 0o700 });
      await expect(new FileSecretStore(dir).readDeviceKeyPem()).rejects.toThrow(/not a key file/);
    });
  });

  describe('SafeStorageSecretStore', () => {
    it('keeps only the safeStorage-sealed key on disk, 0600, and reads it back through safeStorage', async () => {
      const safeStorage = new FakeSafeStorage();
      const store = new SafeStorageSecretStore(safeStorage, dir, 'darwin');
      expect(await store.readDeviceKeyPem()).toBeNull();
      await store.writeDeviceKeyPem(pem);
      const onDisk = await readFile(path.join(dir, SAFE_STORAGE_KEY_FILE), 'utf8');
      expect(onDisk).not.toContain('PRIVATE KEY');
      expect((await stat(path.join(dir, SAFE_STORAGE_KEY_FILE))).mode & 0o777).toBe(0o600);
      expect(await store.readDeviceKeyPem()).toBe(pem);
      expect(safeStorage.calls).toEqual(['isEncryptionAvailable', 'encryptString', 'isEncryptionAvailable', 'decryptString']);
    });

    it('refuses to store the key when no keychain is available, rather than writing it in the clear', async () => {
      const store = new SafeStorageSecretStore(new FakeSafeStorage(false), dir, 'darwin');
      await expect(store.writeDeviceKeyPem(pem)).rejects.toThrow(/not available/);
    });

    it("refuses Linux's basic_text backend, which only obfuscates", async () => {
      const store = new SafeStorageSecretStore(new FakeSafeStorage(true, 'basic_text'), dir, 'linux');
      await expect(store.writeDeviceKeyPem(pem)).rejects.toThrow(/basic_text/);
    });

    it('says to re-enroll when the sealed key cannot be decrypted', async () => {
      const safeStorage = new FakeSafeStorage();
      safeStorage.decryptString = () => {
        throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      };
      const store = new SafeStorageSecretStore(safeStorage, dir, 'darwin');
      await store.writeDeviceKeyPem(pem);
      await expect(store.readDeviceKeyPem()).rejects.toThrow(/re-enroll this device/);
    });
  });
});
