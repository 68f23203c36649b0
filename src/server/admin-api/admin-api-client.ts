// A client of the admin API /api/admin/v1: the admin CLI, developer tasks (the demo seed, the load simulator) and integration tests use it.
import { ApiErrorSchema } from '../../shared/protocol';
import { DEFAULT_CONNECTION_LIMITS } from '../app/connection-limits';

export type AdminMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const REQUEST_TIMEOUT_MS = 30_000;

/** A non-2xx answer of the admin API, with the server's status and message. */
export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    readonly serverMessage: string,
    what: string,
  ) {
    super(`${what}: the server answered ${status}: ${serverMessage}`);
  }
}

export class AdminClient {
  constructor(
    /** The server's base URL; developer tasks (the demo seed) reach its device API there too. */
    readonly serverUrl: string,
    private readonly token: string,
  ) {}

  /**
   * Sends one admin call with a JSON body (or plain text when `body` is a string and `text` is set, or raw bytes,
   * streamed, when `body` is bytes or a stream and `raw` is set) and returns its JSON answer.
   */
  async call<T = Record<string, unknown>>(method: AdminMethod, path: string, body?: unknown, options: { text?: boolean; raw?: boolean } = {}): Promise<T> {
    const url = `${this.serverUrl.replace(/\/+$/, '')}/api/admin/v1${path}`;
    const contentType = options.raw ? 'application/octet-stream' : options.text ? 'text/plain; charset=utf-8' : 'application/json';
    const response = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': contentType }),
      },
      body: body === undefined ? undefined : options.raw ? (body as BodyInit) : options.text ? String(body) : JSON.stringify(body),
      // A stream is sent as it is read (Node's fetch asks for half duplex then).
      ...(options.raw ? { duplex: 'half' } : {}),
      // An upload (a package of up to 2 GiB) gets as long as a server with the default limits gives it.
      signal: AbortSignal.timeout(options.raw ? DEFAULT_CONNECTION_LIMITS.uploadTimeoutMs : REQUEST_TIMEOUT_MS),
    } as RequestInit);
    const text = await response.text();
    if (!response.ok) {
      const parsed = ApiErrorSchema.safeParse(safeJson(text));
      throw new AdminApiError(response.status, parsed.success ? parsed.data.message : text.slice(0, 500), `${method} ${path}`);
    }
    return (text ? JSON.parse(text) : {}) as T;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
