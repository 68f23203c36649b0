// The tenant CRL on the agent: verified against the pinned root, and kept so that a replayed older list cannot un-revoke a certificate.
import 'reflect-metadata'; // @peculiar/x509 (via tsyringe) needs the Reflect metadata API loaded first.
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { CLOCK_SKEW_SECONDS } from '../../shared/protocol';
import { normalizeSerial } from '../../shared/ticket';
import { MAX_REVOKED_SERIALS, type RevocationRecord } from '../core/agent-state';

x509.cryptoProvider.set(webcrypto as Crypto);

/** A CRL larger than this is refused before it is parsed. */
export const MAX_REVOCATION_LIST_BYTES = 48 * 1024;
const CRL_NUMBER_OID = '2.5.29.20';

export class RevocationListRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RevocationListRejectedError';
  }
}


function refuse(message: string): never {
  throw new RevocationListRejectedError(message);
}

/** The CRL number extension's value: a DER INTEGER, small and non-negative. */
function crlNumberOf(crl: x509.X509Crl): number {
  const extension = crl.extensions.find((e) => e.type === CRL_NUMBER_OID);
  if (extension === undefined) refuse('revocation list has no CRL number');
  const der = Buffer.from(extension.value);
  const length = der[1] ?? 0;
  if (der[0] !== 0x02 || length < 1 || length > 6 || der.length !== 2 + length || ((der[2] ?? 0) & 0x80) !== 0) {
    refuse('revocation list has a CRL number that is not a small positive integer');
  }
  return der.readUIntBE(2, length);
}

/**
 * Verifies a tenant CRL (DER) against the pinned root and returns what it says.
 *
 * Signature first, with ECDSA P-256/SHA-256 only; nothing the list says is believed before that.
 */
export async function verifyRevocationList(der: Buffer, rootCertificatePem: string, now: Date): Promise<RevocationRecord> {
  if (der.length > MAX_REVOCATION_LIST_BYTES) refuse('revocation list is larger than allowed');
  let crl: x509.X509Crl;
  let root: x509.X509Certificate;
  try {
    crl = new x509.X509Crl(new Uint8Array(der));
    root = new x509.X509Certificate(rootCertificatePem);
  } catch {
    return refuse('revocation list cannot be parsed');
  }
  const algorithm = crl.signatureAlgorithm as { name?: string; hash?: { name?: string } };
  if (algorithm.name !== 'ECDSA' || algorithm.hash?.name !== 'SHA-256') refuse('revocation list is not signed with ECDSA SHA-256');
  if (crl.issuer !== root.subject) refuse('revocation list is not issued by the pinned tenant root');
  let valid = false;
  try {
    valid = await crl.verify({ publicKey: root });
  } catch {
    valid = false;
  }
  if (!valid) refuse('revocation list signature does not verify against the pinned tenant root');
  if (crl.thisUpdate.getTime() > now.getTime() + CLOCK_SKEW_SECONDS * 1000) refuse('revocation list is issued in the future');
  const entries = crl.entries;
  if (entries.length > MAX_REVOKED_SERIALS) refuse('revocation list has more entries than allowed');
  return { crlNumber: crlNumberOf(crl), revokedSerials: entries.map((e) => normalizeSerial(e.serialNumber)) };
}

/** Merges a verified list into what the agent knows: only a higher CRL number counts, and a revocation is never undone. */
export function withRevocationList(current: RevocationRecord | undefined, verified: RevocationRecord): RevocationRecord {
  if (current !== undefined && verified.crlNumber <= current.crlNumber) return current;
  // The server's lists are cumulative, so the union is the new list; it only differs if the server lost a revocation.
  const revoked = new Set([...(current?.revokedSerials ?? []), ...verified.revokedSerials]);
  return { crlNumber: verified.crlNumber, revokedSerials: [...revoked] };
}
