// Wire contract of the device API /api/device/v1 (DESIGN.md §2): request and response schemas both sides validate with.
import { z } from 'zod';
import { AgentConfigSchema } from './agent-config';
import { ScriptResultSchema } from './script-result';

export const DEVICE_API_PREFIX = '/api/device/v1';
/** `aud` of the short-lived JWTs a device signs with its key for every device call. */
export const DEVICE_TOKEN_AUDIENCE = 'atwork-device-api';
/** Longest lifetime the server accepts for a device JWT. */
export const DEVICE_TOKEN_MAX_AGE_SECONDS = 300;
/** Clock skew tolerated between device and server, for device JWTs and tickets. */
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
  name: z.string().min(1).max(200),
  osName: z.string().max(100),
  osVersion: z.string().max(100),
  model: z.string().max(200),
  serialNumber: z.string().max(100).nullable(),
  agentVersion: z.string().max(50),
});
export type DeviceFacts = z.infer<typeof DeviceFactsSchema>;

export const EnrollRequestSchema = z.object({
  method: z.literal('pin'),
  username: z.string().min(1).max(200),
  pin: z.string().min(4).max(64),
  publicKey: DevicePublicJwkSchema,
  device: DeviceFactsSchema,
});
export type EnrollRequest = z.infer<typeof EnrollRequestSchema>;

export const EnrollResponseSchema = z.object({
  deviceId: z.string(),
  tenantId: z.string(),
  /** PEM of the tenant root certificate; the agent pins it from now on. */
  tenantRootCertificate: z.string(),
  agentConfig: AgentConfigSchema.nullable(),
});
export type EnrollResponse = z.infer<typeof EnrollResponseSchema>;

export const CheckinRequestSchema = z.object({
  agentVersion: z.string().max(50),
  osVersion: z.string().max(100),
});
export type CheckinRequest = z.infer<typeof CheckinRequestSchema>;

export const ScriptAssignmentSchema = z.object({
  configurationId: z.string(),
  version: z.number().int().min(1),
  /** Compact JWE: the signed ticket encrypted to this device's key (DESIGN.md §3). */
  ticket: z.string(),
});
export type ScriptAssignment = z.infer<typeof ScriptAssignmentSchema>;

export const DeviceCommandSchema = z.object({ id: z.string(), type: z.literal('retire') });

export const CheckinResponseSchema = z.object({
  agentConfig: AgentConfigSchema.nullable(),
  scripts: z.array(ScriptAssignmentSchema),
  commands: z.array(DeviceCommandSchema),
  nextCheckinSeconds: z.number().int().min(1),
  serverTime: z.iso.datetime(),
});
export type CheckinResponse = z.infer<typeof CheckinResponseSchema>;

export const ResultsRequestSchema = z.object({ results: z.array(ScriptResultSchema).min(1).max(100) });
export type ResultsRequest = z.infer<typeof ResultsRequestSchema>;

export const DeviceEventSchema = z.object({
  id: z.uuid(),
  type: z.string().regex(/^[a-z]+(\.[a-z_]+)+$/).max(64),
  at: z.iso.datetime({ offset: true }),
  message: z.string().max(2000),
  data: z.record(z.string(), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()])).optional(),
});
export type DeviceEvent = z.infer<typeof DeviceEventSchema>;

export const EventsRequestSchema = z.object({ events: z.array(DeviceEventSchema).min(1).max(100) });
export type EventsRequest = z.infer<typeof EventsRequestSchema>;

/** Error body of every 4xx/5xx: one sentence a person can act on. */
export const ApiErrorSchema = z.object({ error: z.string(), message: z.string() });
export type ApiError = z.infer<typeof ApiErrorSchema>;
