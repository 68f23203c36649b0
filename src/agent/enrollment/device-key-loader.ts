// Reads the device key from the secret store; a key that is missing or unreadable is one clear error, not a crypto library's (issue 9).
import type { KeyObject } from 'node:crypto';
import { privateKeyFromPem } from './device-identity';
import type { SecretStore } from '../core/ports';

/** The device key cannot be used: nothing can be signed for the server until the device is enrolled again. */
export class DeviceKeyUnusableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeviceKeyUnusableError';
  }
}

export async function loadDeviceKey(secrets: SecretStore): Promise<KeyObject> {
  let pem: string | null;
  try {
    pem = await secrets.readDeviceKeyPem();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // The file store's refusals already say what to do.
    throw new DeviceKeyUnusableError(/re-enroll/.test(message) ? message : `the device key could not be read from the secret store (${message}); re-enroll this device`);
  }
  if (pem === null) throw new DeviceKeyUnusableError('the device key is missing from the secret store; re-enroll this device');
  try {
    return privateKeyFromPem(pem);
  } catch (error) {
    if (error instanceof Error && /re-enroll/.test(error.message)) throw new DeviceKeyUnusableError(error.message);
    throw new DeviceKeyUnusableError('the device key in the secret store is unreadable, so this device can no longer reach its server; re-enroll this device');
  }
}
