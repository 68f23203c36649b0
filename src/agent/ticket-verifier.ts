// Opens a script ticket: every check of DESIGN.md §3, in order, each failure a distinct reason code; nothing runs unless all pass.
import 'reflect-metadata'; // @peculiar/x509 (via tsyringe) needs the Reflect metadata API loaded first.
import { X509Certificate, type KeyObject } from 'node:crypto';
import { compactDecrypt, compactVerify, decodeProtectedHeader, type ProtectedHeaderParameters } from 'jose';
import * as x509 from '@peculiar/x509';
import { openBlob, sha256Hex } from '../shared/blob-cipher';
import { CLOCK_SKEW_SECONDS } from '../shared/protocol';
import {
  MAX_TICKET_BYTES,
  TICKET_CONTENT_ENCRYPTION,
  TICKET_JWS_TYPE,
  TICKET_KEY_MANAGEMENT_ALG,
  TICKET_SIGNING_ALG,
  TicketClaimsSchema,
  type TicketClaims,
} from '../shared/ticket';

export type TicketRejectionCode =
  | 'ticket_too_large'
  | 'jwe_header_invalid'
  | 'jwe_decrypt_failed'
  | 'jws_header_invalid'
  | 'certificate_invalid'
  | 'signature_invalid'
  | 'claims_invalid'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'expired'
  | 'not_yet_valid'
  | 'replayed'
  | 'rolled_back'
  | 'blob_too_large'
  | 'blob_download_failed'
  | 'blob_size_mismatch'
  | 'blob_hash_mismatch'
  | 'blob_decrypt_failed';

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

/** Durable replay state: tickets already accepted on this device. */
export interface ReplayState {
  highestSeq: number;
  hasSeenJti(jti: string): boolean;
}

const CODE_SIGNING_EKU = '1.3.6.1.5.5.7.3.3';
const MAX_CHAIN_LENGTH = 3;
/** Longest ticket lifetime the agent accepts, so a leaked ticket cannot be valid for years. */
const MAX_TICKET_LIFETIME_SECONDS = 30 * 86_400;
/** Header parameters that would let a token choose its own key; never accepted. */
const FORBIDDEN_HEADER_PARAMS = ['jku', 'jwk', 'x5u', 'kid', 'crit', 'zip', 'b64'];

function reject(code: TicketRejectionCode, message: string): never {
  throw new TicketRejectedError(code, message);
}

function readHeader(token: string, code: TicketRejectionCode, what: string): ProtectedHeaderParameters {
  try {
    return decodeProtectedHeader(token);
  } catch {
    return reject(code, `${what} header is not valid`);
  }
}

function checkJweHeader(header: ProtectedHeaderParameters): void {
  if (header.alg !== TICKET_KEY_MANAGEMENT_ALG || header.enc !== TICKET_CONTENT_ENCRYPTION) {
    reject('jwe_header_invalid', `ticket encryption ${String(header.alg)}/${String(header.enc)} is not allowed`);
  }
  const forbidden = FORBIDDEN_HEADER_PARAMS.filter((p) => p in header);
  if (forbidden.length > 0) reject('jwe_header_invalid', `ticket encryption header has forbidden ${forbidden.join(', ')}`);
}

function checkJwsHeader(header: ProtectedHeaderParameters): string[] {
  if (header.alg !== TICKET_SIGNING_ALG) reject('jws_header_invalid', `ticket signature algorithm ${String(header.alg)} is not allowed`);
  if (header.typ !== TICKET_JWS_TYPE) reject('jws_header_invalid', 'ticket signature has the wrong type');
  const forbidden = FORBIDDEN_HEADER_PARAMS.filter((p) => p in header);
  if (forbidden.length > 0) reject('jws_header_invalid', `ticket signature header has forbidden ${forbidden.join(', ')}`);
  const chain = header.x5c;
  if (!Array.isArray(chain) || chain.length < 1 || chain.length > MAX_CHAIN_LENGTH || !chain.every((c) => typeof c === 'string')) {
    reject('jws_header_invalid', 'ticket signature carries no usable certificate chain');
  }
  return chain;
}

function parseCertificate(der: Buffer): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch {
    return reject('certificate_invalid', 'ticket signing certificate cannot be parsed');
  }
}

/** The signing certificate must be issued by the pinned root, valid now, and made for signing code. */
function verifySigningCertificate(x5cLeaf: string, root: X509Certificate, now: Date): KeyObject {
  const der = Buffer.from(x5cLeaf, 'base64');
  const leaf = parseCertificate(der);
  if (!leaf.checkIssued(root) || !leaf.verify(root.publicKey)) {
    reject('certificate_invalid', 'ticket signing certificate is not issued by the pinned tenant root');
  }
  const skewMs = CLOCK_SKEW_SECONDS * 1000;
  if (now.getTime() + skewMs < Date.parse(leaf.validFrom) || now.getTime() - skewMs > Date.parse(leaf.validTo)) {
    reject('certificate_invalid', 'ticket signing certificate is outside its validity period');
  }
  if (leaf.ca) reject('certificate_invalid', 'ticket signing certificate is a CA certificate');
  const usages = new x509.X509Certificate(der).getExtension(x509.KeyUsagesExtension)?.usages ?? 0;
  if ((usages & x509.KeyUsageFlags.digitalSignature) === 0) {
    reject('certificate_invalid', 'ticket signing certificate lacks the digitalSignature key usage');
  }
  if (!(leaf.keyUsage ?? []).includes(CODE_SIGNING_EKU)) {
    reject('certificate_invalid', 'ticket signing certificate is not for code signing');
  }
  return leaf.publicKey;
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

/**
 * Decrypts and verifies a ticket.
 *
 * Order matters: cheap size and header checks come before any cryptography, and the signature is
 * verified before a single claim is believed. The caller records jti/seq as accepted only after this returns.
 */
export async function openTicket(compactJwe: string, trust: TicketTrust, replay: ReplayState, now: Date): Promise<TicketClaims> {
  if (Buffer.byteLength(compactJwe, 'utf8') > MAX_TICKET_BYTES) reject('ticket_too_large', 'ticket is larger than allowed');
  checkJweHeader(readHeader(compactJwe, 'jwe_header_invalid', 'ticket encryption'));

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

  const chain = checkJwsHeader(readHeader(jws, 'jws_header_invalid', 'ticket signature'));
  const root = new X509Certificate(trust.rootCertificatePem);
  const signingKey = verifySigningCertificate(chain[0] as string, root, now);

  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(jws, signingKey, { algorithms: [TICKET_SIGNING_ALG] }));
  } catch {
    return reject('signature_invalid', 'ticket signature does not verify');
  }
  const claims = parseClaims(payload);
  checkClaims(claims, trust, replay, now);
  return claims;
}

/** Checks a downloaded blob against the signed claims and decrypts it; returns the script text's bytes. */
export function openScriptBlob(blob: Buffer, claims: TicketClaims): Buffer {
  if (blob.length !== claims.blob.size) reject('blob_size_mismatch', `script blob is ${blob.length} bytes, signed ${claims.blob.size}`);
  if (sha256Hex(blob) !== claims.blob.sha256) reject('blob_hash_mismatch', 'script blob does not match its signed sha256');
  try {
    return openBlob(blob, claims.blob.key);
  } catch {
    return reject('blob_decrypt_failed', 'script blob cannot be decrypted with the signed key');
  }
}
