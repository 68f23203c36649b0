// AgentApi over the browser bridge's HTTP API, for when the UI runs in a plain browser instead of Electron.
import type { AgentApi, AgentStatus } from '../preload/contract';
import { AgentStatusSchema } from './agent-status-schema';

export interface BridgeClientOptions {
  /** The bridge's origin, e.g. http://127.0.0.1:PORT. */
  baseUrl: string;
  /** The per-run token from the URL fragment. */
  token: string;
  /** Wait before reopening a dropped event stream. */
  reconnectDelayMs?: number;
  fetchImpl?: typeof fetch;
}

/** The token the bridge put in the URL fragment (`#token=...`), or null. */
export function readBridgeToken(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token && /^[A-Za-z0-9_-]+$/.test(token) ? token : null;
}

/** An AgentApi that calls the bridge with `Authorization: Bearer <token>`. */
export function createBridgeClient(options: BridgeClientOptions): AgentApi {
  const fetchImpl = options.fetchImpl ?? fetch.bind(globalThis);
  const reconnectDelayMs = options.reconnectDelayMs ?? 2000;
  const headers = { Authorization: `Bearer ${options.token}` };
  const url = (endpoint: string): string => new URL(endpoint, options.baseUrl).toString();

  async function call(method: 'GET' | 'POST', endpoint: string): Promise<AgentStatus> {
    const response = await fetchImpl(url(endpoint), { method, headers });
    if (!response.ok) throw new Error(await describeFailure(response));
    return AgentStatusSchema.parse(await response.json());
  }

  return {
    getStatus: () => call('GET', '/bridge/status'),
    checkInNow: () => call('POST', '/bridge/check-in-now'),
    onStatusChanged(listener) {
      const controller = new AbortController();
      void followEvents(listener, controller.signal);
      return () => controller.abort();
    },
  };

  /** Reads the event stream with fetch (EventSource cannot send the token header), reopening it when it drops. */
  async function followEvents(listener: (status: AgentStatus) => void, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const response = await fetchImpl(url('/bridge/events'), { headers, signal });
        // A refused token or host will not get better by retrying.
        if (response.status === 401 || response.status === 403) return;
        if (response.ok && response.body) await readEvents(response.body, listener);
      } catch {
        // A dropped connection or an aborted read: the loop decides whether to reconnect.
      }
      if (!signal.aborted) await delay(reconnectDelayMs, signal);
    }
  }
}

async function readEvents(body: ReadableStream<Uint8Array>, listener: (status: AgentStatus) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffered += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
    let end = buffered.indexOf('\n\n');
    while (end !== -1) {
      const data = eventData(buffered.slice(0, end));
      buffered = buffered.slice(end + 2);
      const status = data === null ? null : parseStatus(data);
      if (status) listener(status);
      end = buffered.indexOf('\n\n');
    }
  }
}

/** A valid AgentStatus from one event's data, or null: a malformed event is skipped, not trusted. */
function parseStatus(data: string): AgentStatus | null {
  try {
    const parsed = AgentStatusSchema.safeParse(JSON.parse(data));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The joined `data:` lines of one server-sent event, or null for a comment-only frame (keep-alive). */
function eventData(frame: string): string | null {
  const lines = frame
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).replace(/^ /, ''));
  return lines.length > 0 ? lines.join('\n') : null;
}

async function describeFailure(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: unknown };
    if (typeof body.error === 'string') return body.error;
  } catch {
    // Not JSON: fall back to the status line.
  }
  return `The agent bridge answered HTTP ${response.status}.`;
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
