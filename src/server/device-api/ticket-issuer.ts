// Issues script tickets (DESIGN.md §3): claims signed as a JWS with the tenant's signing certificate, then encrypted to the device key.
import { createPublicKey, randomUUID } from 'node:crypto';
import { CompactEncrypt, CompactSign } from 'jose';
import type { DevicePublicJwk } from '../../shared/protocol';
import {
  TICKET_CONTENT_ENCRYPTION,
  TICKET_KEY_MANAGEMENT_ALG,
  TICKET_SIGNING_ALG,
  TICKET_JWS_TYPE,
  TicketClaimsSchema,
  type TicketClaims,
} from '../../shared/ticket';
import { x5cEntry, type TenantSigner } from '../pki/tenant-pki';

export type { TenantSigner } from '../pki/tenant-pki';

/** What the server knows about one delivery of one script configuration to one device. */
export type TicketInput = Omit<TicketClaims, 'iss' | 'aud' | 'jti' | 'iat' | 'exp'> & {
  deviceId: string;
  devicePublicJwk: DevicePublicJwk;
};

export async function issueTicket(
  input: TicketInput,
  signer: TenantSigner,
  options: { now: Date; ttlSeconds: number },
): Promise<string> {
  const { deviceId, devicePublicJwk, ...rest } = input;
  const iat = Math.floor(options.now.getTime() / 1000);
  // Parsing our own claims keeps the server from issuing a ticket every agent would reject.
  const claims = TicketClaimsSchema.parse({
    ...rest,
    iss: signer.tenantId,
    aud: deviceId,
    jti: randomUUID(),
    iat,
    exp: iat + options.ttlSeconds,
  });
  const jws = await new CompactSign(Buffer.from(JSON.stringify(claims)))
    .setProtectedHeader({ alg: TICKET_SIGNING_ALG, typ: TICKET_JWS_TYPE, x5c: signer.certificateChainPem.map(x5cEntry) })
    .sign(signer.signingKey);
  const deviceKey = createPublicKey({ key: { ...devicePublicJwk }, format: 'jwk' });
  return new CompactEncrypt(Buffer.from(jws))
    .setProtectedHeader({ alg: TICKET_KEY_MANAGEMENT_ALG, enc: TICKET_CONTENT_ENCRYPTION, cty: TICKET_JWS_TYPE })
    .encrypt(deviceKey);
}
