// Verifies a package ticket (issue 11): the signed size and sha256 of the one package an install may put on this Mac.
import { X509Certificate } from 'node:crypto';
import { compactVerify } from 'jose';
import { CLOCK_SKEW_SECONDS } from '../../shared/protocol';
import { TICKET_SIGNING_ALG } from '../../shared/ticket';
import { PACKAGE_TICKET_TYPE, PackageTicketClaimsSchema, type PackageTicketClaims } from '../../shared/catalog-protocol';
import { canonicalSegments, checkJwsHeader, MAX_TICKET_LIFETIME_SECONDS, parseHeader, reject, verifySigningCertificate, type ReplayState } from './ticket-verifier';

/** A package ticket is a few hundred bytes of claims and a chain of two certificates; a larger one is refused before it is parsed. */
export const MAX_PACKAGE_TICKET_BYTES = 16 * 1024;

/** What a package ticket must chain to and name: the root pinned at enrollment, its tenant, this device. */
export interface PackageTicketTrust {
  rootCertificatePem: string;
  tenantId: string;
  deviceId: string;
}

/**
 * Verifies a compact JWS package ticket and returns its claims; throws TicketRejectedError naming the failed check.
 *
 * In the order of script tickets: size, canonical form, header (ES256 only, the package type, an x5c chain), the
 * signing certificate (issued by the pinned root, code-signing, not revoked by the kept CRL), the signature, and only
 * then the claims (issuer, audience, lifetime, expiry and issue time with the clock skew).
 */
export async function verifyPackageTicket(ticket: string, trust: PackageTicketTrust, revocations: Pick<ReplayState, 'isRevoked'>, now: Date): Promise<PackageTicketClaims> {
  if (ticket.length > MAX_PACKAGE_TICKET_BYTES) reject('ticket_too_large', 'package ticket is larger than allowed');
  const [header] = canonicalSegments(ticket, 3, 'jws_malformed', 'package ticket');
  const leaf = checkJwsHeader(parseHeader(header as string, 'jws_header_invalid', 'package ticket'), PACKAGE_TICKET_TYPE);
  const signer = verifySigningCertificate(leaf, new X509Certificate(trust.rootCertificatePem), revocations, now);
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(ticket, signer.key, { algorithms: [TICKET_SIGNING_ALG] }));
  } catch {
    return reject('signature_invalid', 'package ticket signature does not verify');
  }
  const claims = parseClaims(payload);
  const nowS = Math.floor(now.getTime() / 1000);
  if (claims.iss !== trust.tenantId) reject('wrong_issuer', 'package ticket was issued for another tenant');
  if (claims.aud !== trust.deviceId) reject('wrong_audience', 'package ticket was issued for another device');
  if (claims.exp <= claims.iat || claims.exp - claims.iat > MAX_TICKET_LIFETIME_SECONDS) reject('claims_invalid', 'package ticket lifetime is out of bounds');
  if (claims.exp < nowS - CLOCK_SKEW_SECONDS) reject('expired', 'package ticket has expired');
  if (claims.iat > nowS + CLOCK_SKEW_SECONDS) reject('not_yet_valid', 'package ticket is issued in the future');
  return claims;
}

function parseClaims(payload: Uint8Array): PackageTicketClaims {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    return reject('claims_invalid', 'package ticket claims are not JSON');
  }
  const parsed = PackageTicketClaimsSchema.safeParse(json);
  if (!parsed.success) reject('claims_invalid', `package ticket claims are invalid at ${parsed.error.issues[0]?.path.join('.') || 'root'}`);
  return parsed.data;
}
