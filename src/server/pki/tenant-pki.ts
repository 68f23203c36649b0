// A tenant's certificate authority (ECDSA P-256): the root, the online signing certificates it issues, and its CRL.
import 'reflect-metadata'; // @peculiar/x509 (via tsyringe) needs the Reflect metadata API loaded first.
import { KeyObject, X509Certificate, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { CODE_SIGNING_EKU, normalizeSerial, TENANT_URI_PREFIX } from '../../shared/ticket';

x509.cryptoProvider.set(webcrypto as Crypto);

const EC_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const ROOT_VALIDITY_YEARS = 20;
/** Signing certificates are short-lived so a stolen signing key stops working on its own; rotation renews them. */
export const SIGNING_VALIDITY_DAYS = 90;
/** How long a CRL is current; the server issues a new one well before (see signing-certificates.ts). */
export const CRL_VALIDITY_DAYS = 7;
const CRL_NUMBER_OID = '2.5.29.20';

export { CODE_SIGNING_EKU };

export interface TenantPkiMaterial {
  rootCertificatePem: string;
  rootPrivateKeyPem: string;
  signingCertificatePem: string;
  signingPrivateKeyPem: string;
}

/** A tenant's signing identity as the ticket issuer needs it. */
export interface TenantSigner {
  tenantId: string;
  signingKey: KeyObject;
  /** Signing certificate first, then the root. */
  certificateChainPem: [string, string];
}

export interface IssuedSigningCertificate {
  certificatePem: string;
  privateKeyPem: string;
  /** Lower-case hex without leading zeros, as the agent compares serials. */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
}

/** CRL reason codes (RFC 5280 §5.3.1) an administrator may give. */
export const REVOCATION_REASONS = ['unspecified', 'keyCompromise', 'superseded', 'cessationOfOperation'] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

export interface RevokedSerial {
  serialNumber: string;
  revokedAt: Date;
  reason: RevocationReason;
}

export { normalizeSerial };

function newSerialNumber(): string {
  // Positive 16-byte serial with a non-zero first byte, as RFC 5280 asks.
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString('hex');
}

function privateKeyPem(key: CryptoKey): string {
  return KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }).toString();
}

function generateKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC_ALGORITHM, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

function toSigningCryptoKey(key: KeyObject): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('pkcs8', key.export({ type: 'pkcs8', format: 'der' }), EC_ALGORITHM, false, ['sign']);
}

/**
 * Issues a signing certificate under the tenant root: not a CA, digitalSignature only, code-signing EKU.
 *
 * `validity` exists for tests of expired certificates; production always uses now .. now + SIGNING_VALIDITY_DAYS.
 */
export async function issueSigningCertificate(
  tenantName: string,
  rootCertificatePem: string,
  rootKey: KeyObject,
  now: Date,
  validity: { notBefore: Date; notAfter: Date } = {
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + SIGNING_VALIDITY_DAYS * 86_400_000),
  },
): Promise<IssuedSigningCertificate> {
  const root = new x509.X509Certificate(rootCertificatePem);
  const keys = await generateKeys();
  const serialNumber = newSerialNumber();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber,
    subject: `CN=${tenantName} Atwork Script Signing ${serialNumber.slice(0, 8)}, O=Atwork`,
    issuer: root.subject,
    notBefore: validity.notBefore,
    notAfter: validity.notAfter,
    signingAlgorithm: EC_ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: await toSigningCryptoKey(rootKey),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([CODE_SIGNING_EKU], false),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(root),
    ],
  });
  return {
    certificatePem: cert.toString('pem'),
    privateKeyPem: privateKeyPem(keys.privateKey),
    serialNumber: normalizeSerial(serialNumber),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
  };
}

/** Creates a new root (naming its tenant in a URI SAN) and a signing certificate issued by it. */
export async function createTenantPki(tenantId: string, tenantName: string, now: Date = new Date()): Promise<TenantPkiMaterial> {
  const rootKeys = await generateKeys();
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: newSerialNumber(),
    name: `CN=${tenantName} Atwork Root (${tenantId}), O=Atwork`,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(Date.UTC(now.getUTCFullYear() + ROOT_VALIDITY_YEARS, now.getUTCMonth(), now.getUTCDate())),
    signingAlgorithm: EC_ALGORITHM,
    keys: rootKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: `${TENANT_URI_PREFIX}${tenantId}` }], false),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const rootCertificatePem = root.toString('pem');
  const signing = await issueSigningCertificate(tenantName, rootCertificatePem, KeyObject.from(rootKeys.privateKey), now);
  return {
    rootCertificatePem,
    rootPrivateKeyPem: privateKeyPem(rootKeys.privateKey),
    signingCertificatePem: signing.certificatePem,
    signingPrivateKeyPem: signing.privateKeyPem,
  };
}

/** DER of a small non-negative INTEGER, the value of the CRL number extension (RFC 5280 §5.2.3). */
function derInteger(value: number): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}

/** Signs the tenant's CRL with the root key: every revoked signing certificate, numbered so agents never go back to an older list. */
export async function createRevocationList(
  rootCertificatePem: string,
  rootKey: KeyObject,
  crlNumber: number,
  revoked: readonly RevokedSerial[],
  now: Date,
): Promise<Buffer> {
  const root = new x509.X509Certificate(rootCertificatePem);
  const crl = await x509.X509CrlGenerator.create({
    issuer: root.subject,
    thisUpdate: now,
    nextUpdate: new Date(now.getTime() + CRL_VALIDITY_DAYS * 86_400_000),
    signingAlgorithm: EC_ALGORITHM,
    signingKey: await toSigningCryptoKey(rootKey),
    extensions: [new x509.Extension(CRL_NUMBER_OID, false, new Uint8Array(derInteger(crlNumber))), await x509.AuthorityKeyIdentifierExtension.create(root)],
    entries: revoked.map((r) => ({ serialNumber: r.serialNumber, revocationDate: r.revokedAt, reason: x509.X509CrlReason[r.reason] })),
  });
  return Buffer.from(crl.rawData);
}

/** Parsed x5c entries by PEM: every ticket carries the same chain, and parsing it was ~7 % of a check-in's CPU. */
const x5cEntries = new Map<string, string>();
/** A tenant has a root and a few signing certificates at a time; past this the cache starts over. */
const MAX_CACHED_X5C = 256;

/** The base64 DER form of a PEM certificate, as a JWS `x5c` entry carries it. */
export function x5cEntry(certificatePem: string): string {
  let entry = x5cEntries.get(certificatePem);
  if (entry === undefined) {
    entry = new X509Certificate(certificatePem).raw.toString('base64');
    if (x5cEntries.size >= MAX_CACHED_X5C) x5cEntries.clear();
    x5cEntries.set(certificatePem, entry);
  }
  return entry;
}
