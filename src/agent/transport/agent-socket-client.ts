// The agent service over the daemon's Unix socket, for the Electron main process of a per-user UI: generated from the contract, on undici (issue 13).
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'undici';
import type { Dispatcher } from 'undici';
import { AGENT_EVENTS, AGENT_METHODS, EVENT_NAMES } from '../../shared/agent-service-contract';
import { contractClient } from '../../shared/contract-client';
import { abortableDelay, SseFrameDecoder, type SseFrame } from '../../shared/sse-frames';
import type { AgentServiceContract, EventName, MethodName } from '../../shared/agent-service-contract';
import { serviceErrorFromBody } from '../../shared/agent-service-names';
import { EVENTS_PATH, routeOf, sseEventName } from '../../shared/agent-service-http';
import { SSE_HEARTBEAT_MS } from './agent-service-http';
import { SOCKET_TOKEN_PATTERN, socketPathIn, tokenFileIn } from './agent-socket-paths';

/** Largest answer taken from the daemon: a catalog page or a thousand installs, with room to spare. */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;
/** Largest event frame: an event's payload is no larger than an answer. */
const MAX_FRAME_CHARS = MAX_ANSWER_BYTES;
/** A stream that has sent nothing, not even a heartbeat, for this long has lost its daemon. */
const STREAM_SILENCE_MS = 3 * SSE_HEARTBEAT_MS;

export interface AgentSocketClientOptions {
  /** The daemon's socket folder (what its server was started with). */
  folder: string;
  /** Whose token to send; default this process's uid. */
  uid?: number;
  /** Waits before reopening a dropped event stream: doubling from the first to the most, back to the first once one opens. */
  reconnect?: { firstDelayMs?: number; maxDelayMs?: number };
}

interface SendOptions {
  method: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  bodyTimeout?: number;
}

/** The agent service as the daemon serves it; close() ends the event stream and the connections. */
export type AgentSocketClient = AgentServiceContract & { close(): Promise<void> };

/** Thrown for the daemon's own refusals (token, arguments, a fault) and when it cannot be reached; a ServiceError otherwise. */
export class AgentSocketError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'AgentSocketError';
  }
}

/** A client of the daemon's socket that reads this user's token file and sends it with every request. */
export function createAgentSocketClient(options: AgentSocketClientOptions): AgentSocketClient {
  const socketPath = socketPathIn(options.folder);
  const tokenFile = tokenFileIn(options.folder, options.uid ?? process.getuid?.() ?? -1);
  const firstDelayMs = options.reconnect?.firstDelayMs ?? 250;
  const maxDelayMs = options.reconnect?.maxDelayMs ?? 10_000;
  const dispatcher = new Agent({ connect: { socketPath } });
  let token: string | null = null;

  /** The token read last; `fresh` reads the file again (the daemon restarted, or the console user changed). */
  async function currentToken(fresh: boolean): Promise<string> {
    if (fresh || token === null) token = await readToken(tokenFile);
    return token;
  }

  /** One request with the token; a 401 is tried once more with the token read again. */
  async function send(path: string, init: SendOptions): Promise<Dispatcher.ResponseData> {
    for (let attempt = 0; ; attempt += 1) {
      const headers = { ...init.headers, authorization: `Bearer ${await currentToken(attempt > 0)}` };
      let response: Dispatcher.ResponseData;
      try {
        response = await request(`http://localhost${path}`, { ...init, headers, dispatcher });
      } catch (error) {
        if (init.signal?.aborted) throw error;
        throw new AgentSocketError(`The agent daemon does not answer on ${socketPath} (${(error as Error).message}); is it running?`, null);
      }
      if (response.statusCode !== 401 || attempt > 0) return response;
      await response.body.dump();
    }
  }

  async function call(name: MethodName, args: unknown[]): Promise<unknown> {
    const { method, path } = routeOf(name);
    const body = method === 'POST' && args.length > 0 ? JSON.stringify(args) : undefined;
    const response = await send(path, body === undefined ? { method } : { method, body, headers: { 'content-type': 'application/json' } });
    const answer = await readJson(response.body);
    if (response.statusCode !== 200) throw failureOf(response.statusCode, answer);
    // The UI's main process hands this on to the renderer: a daemon of another version must not slip it something else.
    const checked = AGENT_METHODS[name].result.safeParse(answer);
    if (!checked.success) throw new AgentSocketError(`The agent daemon answered ${name} with something the contract does not allow.`, 200);
    return checked.data;
  }

  // One event stream for every subscription, open while anyone listens (contract-client.ts); the daemon sends each
  // event's current value when a stream opens, so a UI is brought up to date after the daemon restarts.
  /** Follows the event stream, reopening it with a bounded backoff while anyone listens; payloads checked against the contract. */
  async function follow(signal: AbortSignal, deliver: (event: EventName, payload: unknown) => void): Promise<void> {
    const dispatch = (frame: SseFrame): void => {
      const event = EVENT_NAMES.find((name) => sseEventName(name) === frame.event);
      if (event === undefined) return;
      const payload = AGENT_EVENTS[event].payload.safeParse(parseJson(frame.data));
      if (payload.success) deliver(event, payload.data);
    };
    let delayMs = firstDelayMs;
    while (!signal.aborted) {
      try {
        const response = await send(EVENTS_PATH, { method: 'GET', signal, bodyTimeout: STREAM_SILENCE_MS });
        if (response.statusCode === 200) {
          delayMs = firstDelayMs;
          await readFrames(response.body, dispatch);
        } else {
          await response.body.dump();
        }
      } catch {
        // No daemon, no token yet, a dropped or silent stream: all are waited out and tried again.
      }
      if (signal.aborted) return;
      await abortableDelay(delayMs, signal);
      delayMs = Math.min(delayMs * 2, maxDelayMs);
    }
  }

  const { members, closeStream } = contractClient({ call, follow });
  members.close = async () => {
    closeStream();
    await dispatcher.destroy();
  };
  // Built from the contract's tables, so it has exactly the contract's members.
  return members as AgentSocketClient;
}

/** This user's token, or a one-sentence reason why there is none. */
async function readToken(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AgentSocketError(`The agent daemon has no token for this user at ${file}; it lets in only the console user.`, null);
    throw new AgentSocketError(`Could not read the agent token ${file} (${code ?? (error as Error).message}).`, null);
  }
  const token = text.trim();
  if (!SOCKET_TOKEN_PATTERN.test(token)) throw new AgentSocketError(`The agent token ${file} is not one the daemon writes.`, null);
  return token;
}

/** The answer's JSON, read up to MAX_ANSWER_BYTES; undefined when it is not JSON. */
async function readJson(body: Dispatcher.ResponseData['body']): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > MAX_ANSWER_BYTES) {
      body.destroy();
      throw new AgentSocketError(`The agent daemon's answer is larger than ${MAX_ANSWER_BYTES} bytes.`, null);
    }
    chunks.push(chunk as Buffer);
  }
  return parseJson(Buffer.concat(chunks).toString('utf8'));
}

/** Hands each frame on until the stream ends; a frame larger than MAX_FRAME_CHARS ends it. */
async function readFrames(body: Dispatcher.ResponseData['body'], dispatch: (frame: SseFrame) => void): Promise<void> {
  const frames = new SseFrameDecoder();
  for await (const chunk of body) {
    for (const frame of frames.push(chunk as Buffer)) dispatch(frame);
    if (frames.pendingChars > MAX_FRAME_CHARS) throw new AgentSocketError('The agent daemon sent an event frame larger than it may.', null);
  }
}

/** The ServiceError the daemon answered with, or an AgentSocketError with the daemon's own sentence. */
function failureOf(status: number, body: unknown): Error {
  const refused = serviceErrorFromBody(body);
  if (refused !== null) return refused;
  const error = (body as { error?: unknown } | null)?.error;
  return new AgentSocketError(typeof error === 'string' ? error : `The agent daemon answered HTTP ${status}.`, status);
}

/** The text's JSON value, or undefined (which no schema of the contract takes, not even a nullable one) when it is not JSON. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
