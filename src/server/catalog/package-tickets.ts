// Signs package tickets (issue 11): the claims naming one package's path, size and sha256, as a compact JWS by the tenant's signing certificate.
import { CompactSign } from 'jose';
import { PACKAGE_TICKET_TYPE, PackageTicketClaimsSchema, type PackageTicketClaims } from '../../shared/catalog-protocol';
import { TICKET_SIGNING_ALG } from '../../shared/ticket';
import { x5cEntry, type TenantSigner } from '../pki/tenant-pki';

/** An install is started within minutes of asking; an hour leaves room for a slow download before the agent verifies. */
export const PACKAGE_TICKET_TTL_SECONDS = 3600;

export type PackageTicketInput = Omit<PackageTicketClaims, 'iss' | 'aud' | 'iat' | 'exp'> & { deviceId: string };

/**
 * Signs a package ticket for one device with the same key, algorithm and x5c chain as script tickets.
 *
 * Not encrypted: it holds no secret (the package is not sealed), and the agent checks `aud` against its own id.
 */
export async function issuePackageTicket(input: PackageTicketInput, signer: TenantSigner, now: Date): Promise<string> {
  const { deviceId, ...rest } = input;
  const iat = Math.floor(now.getTime() / 1000);
  // Parsing our own claims keeps the server from issuing a ticket every agent would reject.
  const claims = PackageTicketClaimsSchema.parse({ ...rest, iss: signer.tenantId, aud: deviceId, iat, exp: iat + PACKAGE_TICKET_TTL_SECONDS });
  return new CompactSign(Buffer.from(JSON.stringify(claims)))
    .setProtectedHeader({ alg: TICKET_SIGNING_ALG, typ: PACKAGE_TICKET_TYPE, x5c: signer.certificateChainPem.map(x5cEntry) })
    .sign(signer.signingKey);
}
