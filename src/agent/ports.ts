// The ports through which side effects enter the agent core, so the whole core runs and is tested under plain Node.
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { AgentState, JournalEntry, OutboxEntry } from './agent-state';

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  /** JSON text; sent with content-type application/json. */
  body?: string;
  /** The whole exchange, body included, must finish within this. */
  timeoutMs: number;
  /** More body bytes than this abort the request with HttpFailure code 'too_large'. */
  maxResponseBytes: number;
}

export interface HttpResponse {
  status: number;
  body: Buffer;
}

/** Sends one request; any status is a response, only transport failures throw (as HttpFailure). */
export interface HttpClient {
  request(request: HttpRequest): Promise<HttpResponse>;
}

export type HttpFailureCode = 'too_large' | 'timeout' | 'network';

/** A request that got no usable response: named codes so callers can tell an oversized body from a dead server. */
export class HttpFailure extends Error {
  constructor(
    readonly code: HttpFailureCode,
    message: string,
  ) {
    super(message);
    this.name = 'HttpFailure';
  }
}

export interface SpawnRequest {
  cwd: string;
  env: Record<string, string>;
  /** Set only to drop privileges: the agent must be root for this. */
  uid?: number;
  gid?: number;
  /** Sockets to give the process as stdout and stderr (see output-channel.ts); without them both are piped. */
  output?: { stdout: Socket; stderr: Socket };
}

/** Starts processes in their own process group (a new session) with stdin from /dev/null. */
export interface Spawner {
  /** Absolute path of `name` in the first directory of `searchPath` holding an executable of that name, or null. */
  findExecutable(name: string, searchPath: readonly string[]): Promise<string | null>;
  spawn(command: string, args: readonly string[], request: SpawnRequest): ChildProcess;
  /** Sends `signal` to the whole process group led by `pid`; a group that is already gone is not an error. */
  killGroup(pid: number, signal: NodeJS.Signals): void;
  /** Effective uid of the agent process. */
  currentUid(): number;
}

export interface Clock {
  now(): Date;
  /** Calls `callback` after `ms`; returns the cancel function. */
  schedule(ms: number, callback: () => void): () => void;
}

/** Where the device's private key lives: a 0600 file under plain Node, Electron safeStorage later. */
export interface SecretStore {
  readDeviceKeyPem(): Promise<string | null>;
  writeDeviceKeyPem(pem: string): Promise<void>;
}

/** Durable agent state: the state document, the result/event outbox and the run journal. Every read is validated. */
export interface StateStore {
  readState(): Promise<AgentState | null>;
  writeState(state: AgentState): Promise<void>;
  putOutbox(entry: OutboxEntry): Promise<void>;
  listOutbox(): Promise<OutboxEntry[]>;
  removeOutbox(entry: OutboxEntry): Promise<void>;
  putJournal(entry: JournalEntry): Promise<void>;
  listJournal(): Promise<JournalEntry[]>;
  removeJournal(executionId: string): Promise<void>;
}

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export interface AgentPorts {
  http: HttpClient;
  spawner: Spawner;
  clock: Clock;
  state: StateStore;
  secrets: SecretStore;
  logger: Logger;
}
