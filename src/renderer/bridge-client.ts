// AgentApi over the browser bridge's HTTP API, generated from the contract's names, for when the UI runs in a plain browser instead of Electron.
import type { AgentApi } from '../preload/contract';
import { EVENT_NAMES, serviceErrorFromBody } from '../shared/agent-service-names';
import type { EventName, MethodName } from '../shared/agent-service-names';
import { contractClient } from '../shared/contract-client';
import { abortableDelay, SseFrameDecoder } from '../shared/sse-frames';
import { EVENTS_PATH, routeOf, sseEventName } from '../shared/agent-service-http';

// Answers and events are taken as the contract types them, without checking them again here: the bridge checks every
// result and current value against the contract before it answers (callChecked), and it is the same origin that
// served this page's scripts, so whoever could forge an answer could as well serve other code. The renderer in
// Electron takes main's answers the same way. Leaving zod out keeps it and the schemas out of the first chunk.

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

  async function call(name: MethodName, args: unknown[]): Promise<unknown> {
    const { method, path } = routeOf(name);
    const body = method === 'POST' && args.length > 0 ? JSON.stringify(args) : undefined;
    const response = await fetchImpl(url(path), body === undefined ? { method, headers } : { method, headers: { ...headers, 'Content-Type': 'application/json' }, body });
    if (!response.ok) throw await failureOf(response);
    return (await response.json()) as unknown;
  }

  // One event stream for every subscription (contract-client.ts). The bridge sends each event's current value when a
  // stream opens; a listener added to an open stream hears the next change only (the UI subscribes to both events at
  // once, and its queries read the current values anyway).
  /** Reads the event stream with fetch (EventSource cannot send the token header), reopening it when it drops. */
  async function follow(signal: AbortSignal, deliver: (event: EventName, payload: unknown) => void): Promise<void> {
    while (!signal.aborted) {
      try {
        const response = await fetchImpl(url(EVENTS_PATH), { headers, signal });
        // A refused token or host will not get better by retrying.
        if (response.status === 401 || response.status === 403) return;
        if (response.ok && response.body) await readEvents(response.body, deliver);
      } catch {
        // A dropped connection or an aborted read: the loop decides whether to reconnect.
      }
      if (!signal.aborted) await abortableDelay(reconnectDelayMs, signal);
    }
  }

  // Built from the contract's tables, so it has exactly the AgentApi's members.
  return contractClient({ call, follow }).members as AgentApi;
}

/** Hands each frame's event and JSON payload on; a frame of another event, or whose data is not JSON, is skipped. */
async function readEvents(body: ReadableStream<Uint8Array>, deliver: (event: EventName, payload: unknown) => void): Promise<void> {
  const reader = body.getReader();
  const frames = new SseFrameDecoder();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    for (const frame of frames.push(value)) {
      const event = EVENT_NAMES.find((name) => sseEventName(name) === frame.event);
      const payload = parsePayload(frame.data);
      if (event !== undefined && payload !== null) deliver(event, payload);
    }
  }
}

/** The payload of one frame's data, or null when it is not JSON: a cut-off frame is skipped, the stream goes on. */
function parsePayload(data: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return null;
  }
}

/** The ServiceError the bridge answered with, or an Error with the bridge's own message (token, arguments, a fault). */
async function failureOf(response: Response): Promise<Error> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON: fall back to the status line.
  }
  const refused = serviceErrorFromBody(body);
  if (refused !== null) return refused;
  const error = (body as { error?: unknown } | null)?.error;
  return new Error(typeof error === 'string' ? error : `The agent bridge answered HTTP ${response.status}.`);
}
