// A minimal client of the admin API /api/admin/v1, for developer tasks (the demo seed) and integration tests.

export class AdminClient {
  constructor(
    private readonly serverUrl: string,
    private readonly token: string,
  ) {}

  /** Sends one admin call and returns its JSON body; any non-2xx becomes an error with the server's message. */
  async call<T = Record<string, unknown>>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.serverUrl}/api/admin/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: server said ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  }
}
