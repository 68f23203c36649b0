// The device's identity: its P-256 key pair (generated here, private half never sent) and the facts it enrolls with.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { hostname, machine, release, type } from 'node:os';
import { generateP256PrivateKey } from '../../shared/node/p256-key';
import { DevicePublicJwkSchema, type DeviceFacts, type DevicePublicJwk } from '../../shared/protocol';
import { AGENT_VERSION } from '../core/agent-version';

export function generateDeviceKey(): KeyObject {
  return generateP256PrivateKey();
}

export function privateKeyToPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** Reads a stored device key back; anything but a P-256 private key is refused. */
export function privateKeyFromPem(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('the stored device key is not a P-256 key; re-enroll this device');
  }
  return key;
}

export function publicJwkOf(privateKey: KeyObject): DevicePublicJwk {
  const { kty, crv, x, y } = createPublicKey(privateKey).export({ format: 'jwk' });
  return DevicePublicJwkSchema.parse({ kty, crv, x, y });
}

export function deviceFacts(): DeviceFacts {
  return {
    name: hostname().slice(0, 200) || 'unnamed device',
    osName: type().slice(0, 100),
    osVersion: release().slice(0, 100),
    model: machine().slice(0, 200),
    // Read from IOKit by the inventory issue; nothing portable gives it under plain Node.
    serialNumber: null,
    agentVersion: AGENT_VERSION,
  };
}
