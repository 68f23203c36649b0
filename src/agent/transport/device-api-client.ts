// Client of the device API (/api/device/v1): signs every call with the device key, validates every answer with the shared schemas.
import type { KeyObject } from 'node:crypto';
import type { z } from 'zod';
import { signDeviceToken, ENROLL_SUBJECT } from '../../shared/node/device-token';
import {
  ApiErrorSchema,
  CheckinResponseSchema,
  DEVICE_API_PREFIX,
  EnrollResponseSchema,
  type CheckinRequest,
  type CheckinResponse,
  type DeviceEvent,
  type EnrollRequest,
  type EnrollResponse,
} from '../../shared/protocol';
import type { ScriptResult } from '../../shared/script-result';
import { BLOB_PATH_PREFIX } from '../../shared/ticket';
import { HttpFailure, type Clock, type DownloadResponse, type HttpClient } from '../core/ports';

/** Largest JSON answer the agent reads from the server. */
export const MAX_JSON_RESPONSE_BYTES = 8 * 1024 * 1024;
/** Deadline of a JSON call. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** A blob download gets this long to connect and start, plus time for its signed size at BLOB_MIN_BYTES_PER_SECOND. */
export const BLOB_BASE_DEADLINE_MS = 15_000;
/** Slowest transfer accepted: a server trickling bytes to hold the agent (slow retrieval) is cut off at the deadline. */
export const BLOB_MIN_BYTES_PER_SECOND = 32 * 1024;
/** The whole download, whatever its size, never takes longer than this. */
export const BLOB_MAX_DEADLINE_MS = 120_000;

/** Total deadline of downloading a blob of the signed size: headers and every byte of the body must arrive within it. */
export function blobDeadlineMs(signedSize: number): number {
  return Math.min(BLOB_MAX_DEADLINE_MS, BLOB_BASE_DEADLINE_MS + Math.ceil((signedSize * 1000) / BLOB_MIN_BYTES_PER_SECOND));
}

export interface DeviceApiClientOptions {
  /** Deadline of a blob download by its signed size; tests shorten it. */
  blobDeadlineMs?: (signedSize: number) => number;
}

/** A device API call that failed; `what` names the step ("check-in"), the message says what the server or network said. */
export class DeviceApiError extends Error {
  constructor(
    readonly what: string,
    readonly status: number | null,
    readonly failure: HttpFailure | null,
    detail: string,
    /** How long the server asked the agent to wait (its Retry-After), if it did. */
    readonly retryAfterMs: number | null = null,
    /**
     * What answered: `atwork` for an Atwork error body ({error, message}; `serverCode` is its error), `other` for a
     * server that answered something else (not JSON, a wrong shape, an error page); null when nothing answered.
     */
    readonly answeredBy: 'atwork' | 'other' | null = null,
    readonly serverCode: string | null = null,
    /** The Atwork server's own sentence, meant for people; null when another server answered or none did. */
    readonly serverMessage: string | null = null,
  ) {
    super(`${what}: ${detail}`);
    this.name = 'DeviceApiError';
  }
}

export type JsonMethod = 'GET' | 'POST' | 'PUT';

/** Plain HTTP is allowed only to this machine (DESIGN.md §2): a device token or ticket never crosses a network in clear. */
export function normalizeServerUrl(serverUrl: string): string {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    throw new Error(`server URL ${JSON.stringify(serverUrl)} is not a URL; use https://host[:port]`);
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new Error(`server URL ${url.origin} must use https (plain http is allowed only to localhost)`);
  }
  if (url.username || url.password || url.search || url.hash) throw new Error('server URL must not carry credentials, a query or a fragment');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export class DeviceApiClient {
  constructor(
    private readonly http: HttpClient,
    private readonly clock: Clock,
    private readonly serverUrl: string,
    private readonly deviceKey: KeyObject,
    private readonly options: DeviceApiClientOptions = {},
  ) {}

  async enroll(request: EnrollRequest): Promise<EnrollResponse> {
    return this.postJson('enroll', '/enroll', request, ENROLL_SUBJECT, EnrollResponseSchema);
  }

  async checkIn(deviceId: string, request: CheckinRequest): Promise<CheckinResponse> {
    return this.postJson('check-in', '/checkin', request, deviceId, CheckinResponseSchema);
  }

  async postResults(deviceId: string, results: ScriptResult[]): Promise<void> {
    await this.postJson('send results', '/results', { results }, deviceId, null);
  }

  async postEvents(deviceId: string, events: DeviceEvent[]): Promise<void> {
    await this.postJson('send events', '/events', { events }, deviceId, null);
  }

  /**
   * Downloads an encrypted script blob of the signed size.
   *
   * The signed size is a hard cap (one byte more aborts the transfer: HttpFailure 'too_large' as the cause) and sets a
   * total deadline (HttpFailure 'timeout'), so neither endless data nor a stalling server can hold the agent.
   */
  async downloadBlob(deviceId: string, blobPath: string, signedSize: number): Promise<Buffer> {
    if (!blobPath.startsWith(BLOB_PATH_PREFIX)) throw new DeviceApiError('download script', null, null, `blob path ${blobPath} is not on this server's blob API`);
    return this.send('download script', {
      method: 'GET',
      url: `${this.serverUrl}${blobPath}`,
      headers: { authorization: await this.bearer(deviceId) },
      timeoutMs: (this.options.blobDeadlineMs ?? blobDeadlineMs)(signedSize),
      maxResponseBytes: signedSize,
    });
  }

  /**
   * Downloads a package path of this server as a stream: the caller writes it to disk. `range` asks for the bytes from
   * that offset on (a resumed download); any status is answered, only transport failures throw (as HttpFailure).
   */
  async downloadPackage(deviceId: string, path: string, range: { from: number; maxBytes: number; idleTimeoutMs: number }): Promise<DownloadResponse> {
    const headers: Record<string, string> = { authorization: await this.bearer(deviceId) };
    if (range.from > 0) headers.range = `bytes=${range.from}-`;
    return this.http.download({ url: `${this.serverUrl}${path}`, headers, maxBytes: range.maxBytes, idleTimeoutMs: range.idleTimeoutMs });
  }

  /** One device call with a JSON body (or none) and a JSON answer validated by `schema` (none expected when null); `path` is absolute on the server. */
  async callJson<T>(what: string, method: JsonMethod, path: string, subject: string, body: unknown, schema: z.ZodType<T> | null): Promise<T> {
    const raw = await this.send(what, {
      method,
      url: `${this.serverUrl}${path}`,
      headers: { authorization: await this.bearer(subject), accept: 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      timeoutMs: REQUEST_TIMEOUT_MS,
      maxResponseBytes: MAX_JSON_RESPONSE_BYTES,
    });
    if (schema === null) return undefined as T;
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new DeviceApiError(what, null, null, 'the server answered with something that is not JSON', null, 'other');
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DeviceApiError(what, null, null, `the server's answer is not valid (${issue?.path.join('.') || 'body'}: ${issue?.message})`, null, 'other');
    }
    return parsed.data;
  }

  private postJson<T>(what: string, path: string, body: unknown, subject: string, schema: z.ZodType<T> | null): Promise<T> {
    return this.callJson(what, 'POST', `${DEVICE_API_PREFIX}${path}`, subject, body, schema);
  }

  private async send(what: string, request: Parameters<HttpClient['request']>[0]): Promise<Buffer> {
    let response;
    try {
      response = await this.http.request(request);
    } catch (error) {
      if (error instanceof HttpFailure) throw new DeviceApiError(what, null, error, error.message);
      throw new DeviceApiError(what, null, null, error instanceof Error ? error.message : String(error));
    }
    if (response.status < 200 || response.status > 299) throw refusal(what, response.status, response.body, response.headers, this.clock.now());
    return response.body;
  }

  private bearer(subject: string): Promise<string> {
    return signDeviceToken(this.deviceKey, subject, this.clock.now()).then((token) => `Bearer ${token}`);
  }
}

/** A Retry-After value, delay-seconds or an HTTP date (RFC 9110 §10.2.3), as milliseconds from `now`; null if absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: Date): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

/** The error of a non-2xx answer: the server's one-sentence message and error code, or the start of whatever it sent. */
export function refusal(what: string, status: number, body: Buffer, headers: Record<string, string> | undefined, now: Date): DeviceApiError {
  const retryAfterMs = parseRetryAfter(headers?.['retry-after'], now);
  const text = body.toString('utf8');
  let parsed: ReturnType<typeof ApiErrorSchema.safeParse> | null = null;
  try {
    parsed = ApiErrorSchema.safeParse(JSON.parse(text));
  } catch {
    // Not JSON: not an Atwork error body.
  }
  if (parsed?.success) return new DeviceApiError(what, status, null, `server said ${status}: ${parsed.data.message}`, retryAfterMs, 'atwork', parsed.data.error, parsed.data.message);
  return new DeviceApiError(what, status, null, `server said ${status}: ${text.slice(0, 200).trim() || 'no message'}`, retryAfterMs, 'other');
}
