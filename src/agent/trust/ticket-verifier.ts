// Opens a script ticket: every check of DESIGN.md §3, in order, each failure a distinct reason code; nothing runs unless all pass.
import 'reflect-metadata'; // @peculiar/x509 (via tsyringe) needs the Reflect metadata API loaded first.
import { X509Certificate, type KeyObject } from 'node:crypto';
import { compactDecrypt, compactVerify, type ProtectedHeaderParameters } from 'jose';
import * as x509 from '@peculiar/x509';
import { openBlob, sha256Hex } from '../../shared/node/blob-cipher';
import { CLOCK_SKEW_SECONDS } from '../../shared/protocol';
import {
  CODE_SIGNING_EKU,
  MAX_TICKET_BYTES,
  normalizeSerial,
  TENANT_URI_PREFIX,
  TICKET_CONTENT_ENCRYPTION,
  TICKET_JWS_TYPE,
  TICKET_KEY_MANAGEMENT_ALG,
  TICKET_SIGNING_ALG,
  TicketClaimsSchema,
  type TicketClaims,
} from '../../shared/ticket';

/** Why a ticket or its blob was refused, one code per check, in the order the checks run. */
export const TICKET_REJECTION_CODES = [
  'ticket_too_large',
  'ticket_malformed',
  'jwe_header_invalid',
  'jwe_algorithm_not_allowed',
  'jwe_decrypt_failed',
  'jws_malformed',
  'jws_header_invalid',
  'jws_algorithm_not_allowed',
  'certificate_invalid',
  'certificate_not_yet_valid',
  'certificate_expired',
  'certificate_not_for_signing',
  'certificate_revoked',
  'signature_invalid',
  'claims_invalid',
  'wrong_issuer',
  'wrong_audience',
  'expired',
  'not_yet_valid',
  'replayed',
  'rolled_back',
  'blob_too_large',
  'blob_download_failed',
  'blob_download_timeout',
  'blob_size_mismatch',
  'blob_hash_mismatch',
  'blob_decrypt_failed',
] as const;
export type TicketRejectionCode = (typeof TICKET_REJECTION_CODES)[number];

export class TicketRejectedError extends Error {
  constructor(
    readonly code: TicketRejectionCode,
    message: string,
  ) {
    super(message);
    this.name = 'TicketRejectedError';
  }
}

/** What the agent trusts: the root pinned at enrollment and its own identity. */
export interface TicketTrust {
  rootCertificatePem: string;
  tenantId: string;
  deviceId: string;
  /** The device's private key. */
  deviceKey: KeyObject;
}

/** Durable replay and revocation state: tickets already accepted on this device, signing certificates revoked. */
export interface ReplayState {
  highestSeq: number;
  hasSeenJti(jti: string): boolean;
  /** `serial` is lower-case hex without leading zeros. */
  isRevoked(serial: string): boolean;
}

const MAX_CHAIN_LENGTH = 3;
/** A P-256 certificate is about 600 bytes of DER; a much larger x5c entry is refused before it is parsed. */
const MAX_CERTIFICATE_B64_CHARS = 4096;
/** Longest ticket lifetime the agent accepts, so a leaked ticket cannot be valid for years. */
export const MAX_TICKET_LIFETIME_SECONDS = 30 * 86_400;
/** Header parameters that would let a token choose its own key, or change how it is read; never accepted. */
const FORBIDDEN_HEADER_PARAMS = ['jku', 'jwk', 'x5u', 'kid', 'crit', 'zip', 'b64', 'p2s', 'p2c'];
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function reject(code: TicketRejectionCode, message: string): never {
  throw new TicketRejectedError(code, message);
}

/**
 * Splits a compact serialization into segments that are non-empty, canonical base64url.
 *
 * Canonical matters: base64url has spare bits in its last character, so without this check one ticket would have
 * several spellings (and several sha256 values) that all verify.
 */
export function canonicalSegments(token: string, count: number, code: TicketRejectionCode, what: string): string[] {
  const segments = token.split('.');
  if (segments.length !== count) reject(code, `${what} does not have ${count} parts`);
  for (const segment of segments) {
    if (!BASE64URL.test(segment) || Buffer.from(segment, 'base64url').toString('base64url') !== segment) {
      reject(code, `${what} is not canonical base64url`);
    }
  }
  return segments;
}

/** Parses a protected header: a JSON object, nothing else. */
export function parseHeader(segment: string, code: TicketRejectionCode, what: string): ProtectedHeaderParameters {
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return reject(code, `${what} header is not JSON`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) reject(code, `${what} header is not a JSON object`);
  return header as ProtectedHeaderParameters;
}

function checkJweHeader(header: ProtectedHeaderParameters): void {
  const forbidden = FORBIDDEN_HEADER_PARAMS.filter((p) => p in header);
  if (forbidden.length > 0) reject('jwe_header_invalid', `ticket encryption header has forbidden ${forbidden.join(', ')}`);
  if (header.alg !== TICKET_KEY_MANAGEMENT_ALG || header.enc !== TICKET_CONTENT_ENCRYPTION) {
    reject('jwe_algorithm_not_allowed', `ticket encryption ${String(header.alg)}/${String(header.enc)} is not allowed`);
  }
  if (header.cty !== TICKET_JWS_TYPE) reject('jwe_header_invalid', 'ticket encryption header has the wrong content type');
}

/**
 * Checks a signature header (ES256 only, the expected `typ`, no parameter that picks its own key, an x5c chain) and
 * returns the signing certificate, x5c[0]. Package tickets share it with script tickets.
 */
export function checkJwsHeader(header: ProtectedHeaderParameters, typ: string = TICKET_JWS_TYPE): string {
  if (header.alg !== TICKET_SIGNING_ALG) reject('jws_algorithm_not_allowed', `ticket signature algorithm ${String(header.alg)} is not allowed`);
  if (header.typ !== typ) reject('jws_header_invalid', 'ticket signature has the wrong type');
  const forbidden = FORBIDDEN_HEADER_PARAMS.filter((p) => p in header);
  if (forbidden.length > 0) reject('jws_header_invalid', `ticket signature header has forbidden ${forbidden.join(', ')}`);
  const chain: unknown = header.x5c;
  if (
    !Array.isArray(chain) ||
    chain.length < 1 ||
    chain.length > MAX_CHAIN_LENGTH ||
    !chain.every((c) => typeof c === 'string' && c.length <= MAX_CERTIFICATE_B64_CHARS && /^[A-Za-z0-9+/]+={0,2}$/.test(c))
  ) {
    reject('jws_header_invalid', 'ticket signature carries no usable certificate chain');
  }
  return chain[0] as string;
}

/**
 * The signing certificate (x5c[0]) must be issued by the pinned root with ECDSA SHA-256, valid now (with the skew),
 * made for signing code, and not revoked. Returns its public key, the only key the signature is checked with, and its serial.
 */
export function verifySigningCertificate(x5cLeaf: string, root: X509Certificate, replay: Pick<ReplayState, 'isRevoked'>, now: Date): { key: KeyObject; serial: string } {
  const der = Buffer.from(x5cLeaf, 'base64');
  let leaf: X509Certificate;
  let parsed: x509.X509Certificate;
  try {
    leaf = new X509Certificate(der);
    parsed = new x509.X509Certificate(new Uint8Array(der));
  } catch {
    return reject('certificate_invalid', 'ticket signing certificate cannot be parsed');
  }
  const algorithm = parsed.signatureAlgorithm as { name?: string; hash?: { name?: string } };
  if (algorithm.name !== 'ECDSA' || algorithm.hash?.name !== 'SHA-256' || !leaf.checkIssued(root) || !leaf.verify(root.publicKey)) {
    reject('certificate_invalid', 'ticket signing certificate is not issued by the pinned tenant root');
  }
  const skewMs = CLOCK_SKEW_SECONDS * 1000;
  if (now.getTime() + skewMs < Date.parse(leaf.validFrom)) reject('certificate_not_yet_valid', 'ticket signing certificate is not valid yet');
  if (now.getTime() - skewMs > Date.parse(leaf.validTo)) reject('certificate_expired', 'ticket signing certificate has expired');
  const usages = parsed.getExtension(x509.KeyUsagesExtension)?.usages ?? 0;
  const details = leaf.publicKey.asymmetricKeyDetails;
  if (
    leaf.ca ||
    (usages & x509.KeyUsageFlags.digitalSignature) === 0 ||
    !(leaf.keyUsage ?? []).includes(CODE_SIGNING_EKU) ||
    leaf.publicKey.asymmetricKeyType !== 'ec' ||
    details?.namedCurve !== 'prime256v1'
  ) {
    reject('certificate_not_for_signing', 'ticket signing certificate is not a P-256 code-signing end-entity certificate');
  }
  const serial = normalizeSerial(leaf.serialNumber);
  if (replay.isRevoked(serial)) reject('certificate_revoked', 'ticket signing certificate has been revoked');
  return { key: leaf.publicKey, serial };
}

function parseClaims(payload: Uint8Array): TicketClaims {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    return reject('claims_invalid', 'ticket claims are not JSON');
  }
  const parsed = TicketClaimsSchema.safeParse(json);
  if (!parsed.success) reject('claims_invalid', `ticket claims are invalid at ${parsed.error.issues[0]?.path.join('.') || 'root'}`);
  return parsed.data;
}

function checkClaims(claims: TicketClaims, trust: TicketTrust, replay: ReplayState, now: Date): void {
  const nowS = Math.floor(now.getTime() / 1000);
  if (claims.iss !== trust.tenantId) reject('wrong_issuer', 'ticket was issued for another tenant');
  if (claims.aud !== trust.deviceId) reject('wrong_audience', 'ticket was issued for another device');
  if (claims.exp - claims.iat > MAX_TICKET_LIFETIME_SECONDS || claims.exp <= claims.iat) {
    reject('claims_invalid', 'ticket lifetime is out of bounds');
  }
  if (claims.exp < nowS - CLOCK_SKEW_SECONDS) reject('expired', 'ticket has expired');
  if (claims.iat > nowS + CLOCK_SKEW_SECONDS) reject('not_yet_valid', 'ticket is issued in the future');
  if (replay.hasSeenJti(claims.jti)) reject('replayed', 'ticket was already used');
  if (claims.seq < replay.highestSeq) reject('rolled_back', `ticket sequence ${claims.seq} is older than ${replay.highestSeq}`);
}

/** The tenant a pinned root belongs to, from its `urn:atwork:tenant:` subject alternative name; null for a root without one. */
export function tenantIdOfRoot(rootCertificatePem: string): string | null {
  const names = new X509Certificate(rootCertificatePem).subjectAltName ?? '';
  const match = names
    .split(', ')
    .map((name) => /^URI:(.*)$/.exec(name)?.[1])
    .find((uri) => uri?.startsWith(TENANT_URI_PREFIX));
  return match === undefined ? null : match.slice(TENANT_URI_PREFIX.length);
}

/**
 * Decrypts and verifies a ticket.
 *
 * Order matters: cheap size and header checks come before any cryptography, and the signature is
 * verified before a single claim is believed. The caller records jti/seq as accepted only after this returns.
 */
export async function openTicket(compactJwe: string, trust: TicketTrust, replay: ReplayState, now: Date): Promise<TicketClaims> {
  return (await openSignedTicket(compactJwe, trust, replay, now)).claims;
}

/** A verified ticket's claims and the serial of the certificate that signed it (x5c[0]), kept with a schedule so a later revocation stops it (issue 10). */
export interface OpenedTicket {
  claims: TicketClaims;
  signerSerial: string;
}

/** As openTicket, also giving the signing certificate's serial (lower-case hex without leading zeros). */
export async function openSignedTicket(compactJwe: string, trust: TicketTrust, replay: ReplayState, now: Date): Promise<OpenedTicket> {
  if (compactJwe.length > MAX_TICKET_BYTES) reject('ticket_too_large', 'ticket is larger than allowed');
  const [jweHeader] = canonicalSegments(compactJwe, 5, 'ticket_malformed', 'ticket');
  checkJweHeader(parseHeader(jweHeader as string, 'jwe_header_invalid', 'ticket encryption'));

  let jws: string;
  try {
    const { plaintext } = await compactDecrypt(compactJwe, trust.deviceKey, {
      keyManagementAlgorithms: [TICKET_KEY_MANAGEMENT_ALG],
      contentEncryptionAlgorithms: [TICKET_CONTENT_ENCRYPTION],
    });
    jws = Buffer.from(plaintext).toString('utf8');
  } catch {
    return reject('jwe_decrypt_failed', 'ticket cannot be decrypted with this device key');
  }

  const [jwsHeader] = canonicalSegments(jws, 3, 'jws_malformed', 'ticket signature');
  const leaf = checkJwsHeader(parseHeader(jwsHeader as string, 'jws_header_invalid', 'ticket signature'));
  const signer = verifySigningCertificate(leaf, new X509Certificate(trust.rootCertificatePem), replay, now);

  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(jws, signer.key, { algorithms: [TICKET_SIGNING_ALG] }));
  } catch {
    return reject('signature_invalid', 'ticket signature does not verify');
  }
  const claims = parseClaims(payload);
  checkClaims(claims, trust, replay, now);
  return { claims, signerSerial: signer.serial };
}

/** Checks a downloaded blob against the signed claims and decrypts it; returns the script text's bytes. */
export function openScriptBlob(blob: Buffer, claims: TicketClaims): Buffer {
  if (blob.length > claims.blob.size) reject('blob_too_large', `script blob is ${blob.length} bytes, more than the signed ${claims.blob.size}`);
  if (blob.length !== claims.blob.size) reject('blob_size_mismatch', `script blob is ${blob.length} bytes, signed ${claims.blob.size}`);
  if (sha256Hex(blob) !== claims.blob.sha256) reject('blob_hash_mismatch', 'script blob does not match its signed sha256');
  try {
    return openBlob(blob, claims.blob.key);
  } catch {
    return reject('blob_decrypt_failed', 'script blob cannot be decrypted with the signed key');
  }
}
