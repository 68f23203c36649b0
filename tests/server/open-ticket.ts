// Test helper: opens a ticket as the device would, checking the signature chain up to the pinned root.
import { X509Certificate, type KeyObject } from 'node:crypto';
import { compactDecrypt, compactVerify, decodeProtectedHeader } from 'jose';
import { expect } from 'vitest';
import { TicketClaimsSchema, type TicketClaims } from '../../src/shared/ticket';

/** Decrypts a ticket with the device key and checks its signature against the x5c chain up to the pinned root. */
export async function openTicketForTest(ticket: string, deviceKey: KeyObject, rootPem: string): Promise<TicketClaims> {
  const { plaintext } = await compactDecrypt(ticket, deviceKey, { keyManagementAlgorithms: ['ECDH-ES+A256KW'], contentEncryptionAlgorithms: ['A256GCM'] });
  const jws = new TextDecoder().decode(plaintext);
  const header = decodeProtectedHeader(jws);
  expect(header.alg).toBe('ES256');
  const [signingDer, rootDer] = header.x5c ?? [];
  const signing = new X509Certificate(Buffer.from(signingDer!, 'base64'));
  const root = new X509Certificate(rootPem);
  expect(Buffer.from(rootDer!, 'base64').equals(root.raw)).toBe(true);
  expect(signing.verify(root.publicKey)).toBe(true);
  const { payload } = await compactVerify(jws, signing.publicKey, { algorithms: ['ES256'] });
  return TicketClaimsSchema.parse(JSON.parse(new TextDecoder().decode(payload)));
}
