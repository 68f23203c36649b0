// Claims of a script ticket and the algorithms allowed for it (DESIGN.md §3). Server signs these; agent verifies them.
import { z } from 'zod';
import { ScheduleSpecSchema } from './schedule';
import { InterpreterSchema } from './script-result';
import { DEVICE_API_PREFIX } from './protocol';

/** JWS algorithm of tickets; nothing else is ever accepted. */
export const TICKET_SIGNING_ALG = 'ES256';
/** JWE key management and content encryption of tickets; nothing else is ever accepted. */
export const TICKET_KEY_MANAGEMENT_ALG = 'ECDH-ES+A256KW';
export const TICKET_CONTENT_ENCRYPTION = 'A256GCM';
/** `typ` of the inner JWS and `cty` of the JWE around it. */
export const TICKET_JWS_TYPE = 'atwork-ticket+jwt';
/** Compact JWE larger than this is rejected before any parsing. */
export const MAX_TICKET_BYTES = 64 * 1024;
/** Largest script blob the server will store or the agent download. */
export const MAX_BLOB_BYTES = 4 * 1024 * 1024;
/** Extended key usage a ticket-signing certificate must carry (id-kp-codeSigning). */
export const CODE_SIGNING_EKU = '1.3.6.1.5.5.7.3.3';
/** A tenant root names its tenant in a URI subject alternative name: this prefix, then the tenant id (the ticket `iss`). */
export const TENANT_URI_PREFIX = 'urn:atwork:tenant:';

/** One spelling of a certificate serial for the server, the CRL and the agent: lower-case hex without leading zeros. */
export function normalizeSerial(hex: string): string {
  return hex.toLowerCase().replace(/^0+(?=.)/, '');
}

export const BLOB_PATH_PREFIX = `${DEVICE_API_PREFIX}/blobs/`;

export const TicketClaimsSchema = z.object({
  iss: z.string().min(1),
  aud: z.string().min(1),
  jti: z.uuid(),
  iat: z.number().int(),
  exp: z.number().int(),
  seq: z.number().int().min(1),
  configurationId: z.string().min(1).max(64),
  configurationVersion: z.number().int().min(1),
  script: z.object({
    id: z.string().min(1).max(64),
    version: z.number().int().min(1),
    name: z.string().max(200),
    interpreter: InterpreterSchema,
    runAsRoot: z.boolean(),
  }),
  blob: z.object({
    path: z.string().startsWith(BLOB_PATH_PREFIX).regex(/^[A-Za-z0-9/_-]+$/).max(200),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    size: z.number().int().min(29).max(MAX_BLOB_BYTES),
    /** AES-256-GCM content key, base64url. */
    key: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  }),
  limits: z.object({
    maxRunTimeSeconds: z.number().int().min(1).max(86_400),
    maxResponseSizeKb: z.number().int().min(1).max(1024),
  }),
  schedule: ScheduleSpecSchema,
  variables: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/), z.string().max(4096)),
});
export type TicketClaims = z.infer<typeof TicketClaimsSchema>;
