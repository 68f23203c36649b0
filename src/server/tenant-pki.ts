// Creates a tenant's certificate authority: a root certificate and the online signing certificate it issues (ECDSA P-256).
import 'reflect-metadata'; // @peculiar/x509 (via tsyringe) needs the Reflect metadata API loaded first.
import { KeyObject, X509Certificate, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as Crypto);

const EC_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const ROOT_VALIDITY_YEARS = 20;
const SIGNING_VALIDITY_DAYS = 397;
/** Extended key usage the agent requires of a ticket-signing certificate. */
export const CODE_SIGNING_EKU = '1.3.6.1.5.5.7.3.3';

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

function serialNumber(): string {
  // Positive 16-byte serial, as RFC 5280 asks.
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

function privateKeyPem(key: CryptoKey): string {
  return KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }).toString();
}

function generateKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC_ALGORITHM, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

/** Issues a signing certificate for the tenant under an existing root. */
async function issueSigningCertificate(
  tenantName: string,
  root: x509.X509Certificate,
  rootKey: CryptoKey,
  now: Date,
): Promise<{ certificatePem: string; privateKeyPem: string }> {
  const keys = await generateKeys();
  const notAfter = new Date(now.getTime() + SIGNING_VALIDITY_DAYS * 86_400_000);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=${tenantName} Atwork Script Signing, O=Atwork`,
    issuer: root.subject,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter,
    signingAlgorithm: EC_ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: rootKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([CODE_SIGNING_EKU], false),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(root),
    ],
  });
  return { certificatePem: cert.toString('pem'), privateKeyPem: privateKeyPem(keys.privateKey) };
}

/** Creates a new root and a signing certificate issued by it. The caller stores the private keys outside the database. */
export async function createTenantPki(tenantId: string, tenantName: string, now: Date = new Date()): Promise<TenantPkiMaterial> {
  const rootKeys = await generateKeys();
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=${tenantName} Atwork Root (${tenantId}), O=Atwork`,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(Date.UTC(now.getUTCFullYear() + ROOT_VALIDITY_YEARS, now.getUTCMonth(), now.getUTCDate())),
    signingAlgorithm: EC_ALGORITHM,
    keys: rootKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const signing = await issueSigningCertificate(tenantName, root, rootKeys.privateKey, now);
  return {
    rootCertificatePem: root.toString('pem'),
    rootPrivateKeyPem: privateKeyPem(rootKeys.privateKey),
    signingCertificatePem: signing.certificatePem,
    signingPrivateKeyPem: signing.privateKeyPem,
  };
}

/** The base64 DER form of a PEM certificate, as a JWS `x5c` entry carries it. */
export function x5cEntry(certificatePem: string): string {
  return new X509Certificate(certificatePem).raw.toString('base64');
}
