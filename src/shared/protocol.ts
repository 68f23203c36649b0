// Wire contract of the device API /api/device/v1 (DESIGN.md §2): request and response schemas both sides validate with.
import { z } from 'zod';
import { AgentConfigSchema } from './agent-config';
import { Text, Version } from './input-bounds';
import { ScriptResultSchema } from './script-result';

export { DEVICE_API_PREFIX } from './device-api-paths';
/** `aud` of the short-lived JWTs a device signs with its key for every device call. */
export const DEVICE_TOKEN_AUDIENCE = 'atwork-device-api';
/** Lifetime of a device JWT (`exp - iat`): the agent signs tokens this long and the server accepts none longer. */
export const DEVICE_TOKEN_LIFETIME_SECONDS = 60;
/** Clock skew tolerated between device and server: for tickets on each side; a device JWT spends it once, half on each side (device-token.ts). */
export const CLOCK_SKEW_SECONDS = 120;

/** A P-256 public key as a JWK; anything else (private parts, other curves) is refused. */
export const DevicePublicJwkSchema = z.strictObject({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  y: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});
export type DevicePublicJwk = z.infer<typeof DevicePublicJwkSchema>;

export const DeviceFactsSchema = z.object({
  name: Text(200).min(1),
  osName: Text(100),
  osVersion: Text(100),
  model: Text(200),
  serialNumber: Text(100).nullable(),
  agentVersion: Text(50),
});
export type DeviceFacts = z.infer<typeof DeviceFactsSchema>;

/** The form of an enrollment token: `atwe_` and 32 random bytes in base64url (the server keeps only its sha256). */
export const ENROLLMENT_TOKEN_PATTERN = /^atwe_[A-Za-z0-9_-]{43}$/;

/**
 * A user enrolls with their username and a single-use PIN; an automated enrollment (the PKG an Apple MDM server
 * installs during Automated Device Enrollment) with an enrollment token an administrator made.
 */
export const PinEnrollRequestSchema = z.object({
  method: z.literal('pin'),
  username: Text(200).min(1),
  pin: Text(64).min(4),
  publicKey: DevicePublicJwkSchema,
  device: DeviceFactsSchema,
});

export const EnrollRequestSchema = z.discriminatedUnion('method', [
  PinEnrollRequestSchema,
  z.object({
    method: z.literal('token'),
    token: z.string().regex(ENROLLMENT_TOKEN_PATTERN, 'An enrollment token is atwe_ followed by 43 base64url characters.'),
    publicKey: DevicePublicJwkSchema,
    device: DeviceFactsSchema,
  }),
]);
export type EnrollRequest = z.infer<typeof EnrollRequestSchema>;

export const EnrollResponseSchema = z.object({
  deviceId: z.string(),
  tenantId: z.string(),
  /** PEM of the tenant root certificate; the agent pins it from now on. */
  tenantRootCertificate: z.string(),
  agentConfig: AgentConfigSchema.nullable(),
});
export type EnrollResponse = z.infer<typeof EnrollResponseSchema>;

/** sha256 hex of an inventory in its canonical form (the agent's inventoryDigest): what the agent holds, in 64 characters. */
export const InventoryDigestSchema = z.string().regex(/^[0-9a-f]{64}$/, 'an inventory digest is the 64 lower-case hex digits of a sha256');

export const CheckinRequestSchema = z.object({
  agentVersion: Text(50),
  osVersion: Text(100),
  /** The digest of the inventory the agent last collected (issue 13); absent from older agents and before the first collection. */
  inventoryDigest: InventoryDigestSchema.optional(),
});
export type CheckinRequest = z.infer<typeof CheckinRequestSchema>;

export const ScriptAssignmentSchema = z.object({
  configurationId: z.string(),
  version: Version,
  /** Compact JWE: the signed ticket encrypted to this device's key (DESIGN.md §3). */
  ticket: z.string(),
});
export type ScriptAssignment = z.infer<typeof ScriptAssignmentSchema>;

/**
 * A command for the agent. `retire` (issue 13): an admin asked to retire the device; every check-in carries it, with
 * the same id, until the agent confirms with POST /retire, and then removes itself.
 */
export const DeviceCommandSchema = z.object({ id: z.string(), type: z.literal('retire') });

/** Largest tenant revocation list (base64 DER) a check-in answer may carry. */
export const MAX_REVOCATION_LIST_CHARS = 64 * 1024;

export const CheckinResponseSchema = z.object({
  agentConfig: AgentConfigSchema.nullable(),
  /**
   * The tenant's X.509 CRL (base64 DER) signed by the root the agent pinned: the signing certificates revoked so far.
   * Optional only so that an older server still validates; the agent keeps the highest-numbered list it verified.
   */
  revocationList: z.string().max(MAX_REVOCATION_LIST_CHARS).regex(/^[A-Za-z0-9+/]+={0,2}$/).optional(),
  scripts: z.array(ScriptAssignmentSchema),
  commands: z.array(DeviceCommandSchema),
  nextCheckinSeconds: z.number().int().min(1),
  serverTime: z.iso.datetime(),
  /**
   * The server holds another inventory than the check-in's digest names: the agent sends its list (POST /inventory).
   * An older server leaves it out, which reads as false (issue 13).
   */
  inventoryWanted: z.boolean().default(false),
});
export type CheckinResponse = z.infer<typeof CheckinResponseSchema>;

export const ResultsRequestSchema = z.object({ results: z.array(ScriptResultSchema).min(1).max(100) });
export type ResultsRequest = z.infer<typeof ResultsRequestSchema>;

export const DeviceEventSchema = z.object({
  id: z.uuid(),
  type: z.string().regex(/^[a-z]+(\.[a-z_]+)+$/).max(64),
  at: z.iso.datetime({ offset: true }),
  message: Text(2000),
  data: z.record(Text(200), z.union([Text(2000), z.number(), z.boolean(), z.null()])).optional(),
});
export type DeviceEvent = z.infer<typeof DeviceEventSchema>;

export const EventsRequestSchema = z.object({ events: z.array(DeviceEventSchema).min(1).max(100) });
export type EventsRequest = z.infer<typeof EventsRequestSchema>;

/** Most apps, and most package receipts, one inventory report may list; a Mac with more is not one this server manages. */
export const MAX_INVENTORY_APPS = 5000;

export const InstalledAppSchema = z.object({
  bundleId: Text(255).min(1),
  name: Text(255).min(1),
  version: Text(100).nullable(),
});
export type InstalledApp = z.infer<typeof InstalledAppSchema>;

/** A package macOS's installer recorded (`pkgutil --pkg-info`); off macOS the development stand-in (dpkg). */
export const PackageReceiptSchema = z.object({
  packageId: Text(255).min(1),
  version: Text(100).nullable(),
  /** When it was installed; null when the receipt does not say. */
  installedAt: z.iso.datetime({ offset: true }).nullable(),
});
export type PackageReceipt = z.infer<typeof PackageReceiptSchema>;

/**
 * A full inventory: installed apps and package receipts, which replace the previous ones, and the digest the agent
 * computed for exactly this list, which the server keeps to compare check-ins with (issue 13). A report of apps alone
 * (before issue 13) has no receipts and no digest: the next check-in with a digest is asked for the list again.
 */
export const InventoryRequestSchema = z.object({
  apps: z.array(InstalledAppSchema).max(MAX_INVENTORY_APPS),
  receipts: z.array(PackageReceiptSchema).max(MAX_INVENTORY_APPS).default([]),
  digest: InventoryDigestSchema.optional(),
});
export type InventoryRequest = z.infer<typeof InventoryRequestSchema>;

/** Error body of every 4xx/5xx: one sentence a person can act on. */
export const ApiErrorSchema = z.object({ error: z.string(), message: z.string() });
export type ApiError = z.infer<typeof ApiErrorSchema>;
