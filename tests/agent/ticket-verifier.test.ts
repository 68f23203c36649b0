// The ticket path end to end in process: the server's issuer, the agent's verifier, and what must make it reject.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { CompactEncrypt, CompactSign, compactDecrypt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { openScriptBlob, openTicket, TicketRejectedError, type ReplayState, type TicketTrust } from '../../src/agent/trust/ticket-verifier';
import { sealBlob } from '../../src/shared/node/blob-cipher';
import { generateP256PrivateKey } from '../../src/shared/node/p256-key';
import type { DevicePublicJwk } from '../../src/shared/protocol';
import { createTenantPki, type TenantPkiMaterial, type TenantSigner } from '../../src/server/pki/tenant-pki';
import { issueTicket, type TicketInput } from '../../src/server/device-api/ticket-issuer';

const NOW = new Date('2026-11-24T12:00:00Z');
const SCRIPT = Buffer.from('#!/bin/bash\necho "hello"\n');
const freshReplay = (): ReplayState => ({ highestSeq: 0, hasSeenJti: () => false, isRevoked: () => false });

interface Device {
  id: string;
  key: KeyObject;
  jwk: DevicePublicJwk;
}

function makeDevice(id: string): Device {
  const privateKey = generateP256PrivateKey();
  return { id, key: privateKey, jwk: createPublicKey(privateKey).export({ format: 'jwk' }) as DevicePublicJwk };
}

function signerOf(tenantId: string, pki: TenantPkiMaterial): TenantSigner {
  return {
    tenantId,
    signingKey: createPrivateKey(pki.signingPrivateKeyPem),
    certificateChainPem: [pki.signingCertificatePem, pki.rootCertificatePem],
  };
}

let pki: TenantPkiMaterial;
let otherPki: TenantPkiMaterial;
let signer: TenantSigner;
let device: Device;
let trust: TicketTrust;
const sealed = sealBlob(SCRIPT);

function input(overrides: Partial<TicketInput> = {}): TicketInput {
  return {
    deviceId: device.id,
    devicePublicJwk: device.jwk,
    seq: 5,
    configurationId: 'cfg-1',
    configurationVersion: 1,
    script: { id: 'script-1', version: 1, name: 'hello', interpreter: 'bash', runAsRoot: false },
    blob: { path: '/api/device/v1/blobs/blob-1', sha256: sealed.sha256, size: sealed.blob.length, key: sealed.key },
    limits: { maxRunTimeSeconds: 60, maxResponseSizeKb: 1 },
    schedule: { kind: 'once' },
    variables: {},
    ...overrides,
  };
}

const issue = (overrides: Partial<TicketInput> = {}, s: TenantSigner = signer, issuedAt = NOW) =>
  issueTicket(input(overrides), s, { now: issuedAt, ttlSeconds: 3600 });

/** Decrypts a valid ticket to its inner JWS, lets the test rewrite it, and encrypts it to the device again. */
async function rewrapInner(ticket: string, rewrite: (jws: string) => string): Promise<string> {
  const { plaintext } = await compactDecrypt(ticket, device.key);
  const jws = rewrite(Buffer.from(plaintext).toString('utf8'));
  return new CompactEncrypt(Buffer.from(jws))
    .setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', cty: 'atwork-ticket+jwt' })
    .encrypt(createPublicKey({ key: { ...device.jwk }, format: 'jwk' }));
}

async function rejectionOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof TicketRejectedError) return err.code;
    throw err;
  }
  return 'accepted';
}

const b64u = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

beforeAll(async () => {
  [pki, otherPki] = await Promise.all([createTenantPki('tenant-a', 'Acme', NOW), createTenantPki('tenant-b', 'Evil', NOW)]);
  signer = signerOf('tenant-a', pki);
  device = makeDevice('device-a');
  trust = { rootCertificatePem: pki.rootCertificatePem, tenantId: 'tenant-a', deviceId: device.id, deviceKey: device.key };
});

describe('openTicket', () => {
  it('accepts a valid ticket and its blob decrypts to the script', async () => {
    const claims = await openTicket(await issue(), trust, freshReplay(), NOW);
    expect(claims).toMatchObject({ iss: 'tenant-a', aud: 'device-a', seq: 5, configurationId: 'cfg-1' });
    expect(openScriptBlob(sealed.blob, claims).equals(SCRIPT)).toBe(true);
  });

  const cases: [string, () => Promise<unknown>, string][] = [
    ['a ticket larger than the cap', async () => openTicket('a'.repeat(8 * 1024 * 1024), trust, freshReplay(), NOW), 'ticket_too_large'],
    ['a ticket encrypted to another device key', async () => openTicket(await issue(), { ...trust, deviceKey: makeDevice('x').key }, freshReplay(), NOW), 'jwe_decrypt_failed'],
    ['a flipped byte in the JWE ciphertext', async () => {
      const parts = (await issue()).split('.');
      const ct = Buffer.from(parts[3] as string, 'base64url');
      ct[10] = (ct[10] ?? 0) ^ 1;
      parts[3] = ct.toString('base64url');
      return openTicket(parts.join('.'), trust, freshReplay(), NOW);
    }, 'jwe_decrypt_failed'],
    ['a JWE with another algorithm', async () => {
      const parts = (await issue()).split('.');
      parts[0] = b64u({ alg: 'RSA-OAEP', enc: 'A256GCM' });
      return openTicket(parts.join('.'), trust, freshReplay(), NOW);
    }, 'jwe_algorithm_not_allowed'],
    ['a compressed JWE', async () => {
      const parts = (await issue()).split('.');
      parts[0] = b64u({ ...JSON.parse(Buffer.from(parts[0] as string, 'base64url').toString()), zip: 'DEF' });
      return openTicket(parts.join('.'), trust, freshReplay(), NOW);
    }, 'jwe_header_invalid'],
    ['a flipped byte in the JWS signature', async () => {
      const forged = await rewrapInner(await issue(), (jws) => {
        const [h, p, s] = jws.split('.');
        const sig = Buffer.from(s as string, 'base64url');
        sig[5] = (sig[5] ?? 0) ^ 1;
        return [h, p, sig.toString('base64url')].join('.');
      });
      return openTicket(forged, trust, freshReplay(), NOW);
    }, 'signature_invalid'],
    ['edited claims with the old signature', async () => {
      const forged = await rewrapInner(await issue(), (jws) => {
        const [h, p, s] = jws.split('.');
        const claims = JSON.parse(Buffer.from(p as string, 'base64url').toString());
        claims.script.runAsRoot = true;
        return [h, b64u(claims), s].join('.');
      });
      return openTicket(forged, trust, freshReplay(), NOW);
    }, 'signature_invalid'],
    ['alg none', async () => {
      const forged = await rewrapInner(await issue(), (jws) => {
        const [h, p] = jws.split('.');
        const header = JSON.parse(Buffer.from(h as string, 'base64url').toString());
        return [b64u({ ...header, alg: 'none' }), p, ''].join('.');
      });
      return openTicket(forged, trust, freshReplay(), NOW);
    }, 'jws_malformed'],
    ['a JWS signed by an attacker root with its own x5c', async () => {
      const evil = await issue({}, signerOf('tenant-a', otherPki));
      return openTicket(evil, trust, freshReplay(), NOW);
    }, 'certificate_invalid'],
    ['a ticket signed by the root key itself', async () => {
      const forged = await rewrapInner(await issue(), (jws) => jws);
      const { plaintext } = await compactDecrypt(forged, device.key);
      const [h, p] = Buffer.from(plaintext).toString().split('.');
      const header = JSON.parse(Buffer.from(h as string, 'base64url').toString());
      const rootSigned = await new CompactSign(Buffer.from(p as string, 'base64url'))
        .setProtectedHeader({ ...header, x5c: [header.x5c[1]] })
        .sign(createPrivateKey(pki.rootPrivateKeyPem));
      return openTicket(await rewrapInner(forged, () => rootSigned), trust, freshReplay(), NOW);
    }, 'certificate_not_for_signing'],
    ['a ticket for another device', async () => openTicket(await issue({ deviceId: 'device-b' }), trust, freshReplay(), NOW), 'wrong_audience'],
    ['a ticket from another tenant id', async () => openTicket(await issue({}, { ...signer, tenantId: 'tenant-b' }), trust, freshReplay(), NOW), 'wrong_issuer'],
    ['an expired ticket', async () => openTicket(await issue(), trust, freshReplay(), new Date(NOW.getTime() + 2 * 3600_000)), 'expired'],
    ['a ticket from the future', async () => openTicket(await issue({}, signer, new Date(NOW.getTime() + 3600_000)), trust, freshReplay(), NOW), 'not_yet_valid'],
    ['a ticket checked before its signing certificate was valid', async () => openTicket(await issue(), trust, freshReplay(), new Date(NOW.getTime() - 3600_000)), 'certificate_not_yet_valid'],
    ['a replayed jti', async () => openTicket(await issue(), trust, { ...freshReplay(), hasSeenJti: () => true }, NOW), 'replayed'],
    ['a lower seq', async () => openTicket(await issue({ seq: 4 }), trust, { ...freshReplay(), highestSeq: 5 }, NOW), 'rolled_back'],
    ['a ticket signed by a revoked signing certificate', async () => openTicket(await issue(), trust, { ...freshReplay(), isRevoked: () => true }, NOW), 'certificate_revoked'],
  ];

  it.each(cases)('rejects %s', async (_name, run, code) => {
    expect(await rejectionOf(run())).toBe(code);
  });
});

describe('openScriptBlob', () => {
  const blobCases: [string, (blob: Buffer) => Buffer, string][] = [
    ['a flipped byte', (b) => { const c = Buffer.from(b); c[20] = (c[20] ?? 0) ^ 1; return c; }, 'blob_hash_mismatch'],
    ['a truncated blob', (b) => b.subarray(0, b.length - 1), 'blob_size_mismatch'],
    ['an extended blob', (b) => Buffer.concat([b, Buffer.from([0])]), 'blob_too_large'],
    ['a blob from another ticket', () => { const o = sealBlob(Buffer.from('echo other')); return Buffer.concat([o.blob, Buffer.alloc(SCRIPT.length - 10)]); }, 'blob_hash_mismatch'],
  ];

  it.each(blobCases)('rejects %s', async (_name, mutate, code) => {
    const claims = await openTicket(await issue(), trust, freshReplay(), NOW);
    expect(await rejectionOf(Promise.resolve().then(() => openScriptBlob(mutate(sealed.blob), claims)))).toBe(code);
  });

  it('rejects a blob that matches its hash but not its key', async () => {
    const claims = await openTicket(await issue({ blob: { ...input().blob, key: sealBlob(SCRIPT).key } }), trust, freshReplay(), NOW);
    expect(await rejectionOf(Promise.resolve().then(() => openScriptBlob(sealed.blob, claims)))).toBe('blob_decrypt_failed');
  });
});
