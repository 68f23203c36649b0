// The ports through which side effects enter the agent core, so the whole core runs and is tested under plain Node.
import type { Socket } from 'node:net';
import type { AgentState, JournalEntry, OutboxEntry } from './agent-state';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT';
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
  /** Response headers by lower-case name; a client may leave out those the agent does not read. */
  headers?: Record<string, string>;
}

/** A GET whose body is streamed to the caller rather than held in memory: a package of up to gigabytes. */
export interface DownloadRequest {
  url: string;
  headers: Record<string, string>;
  /** More body bytes than this end the body with HttpFailure 'too_large'. */
  maxBytes: number;
  /** Waiting longer than this for the headers or for the next bytes ends the request with HttpFailure 'timeout'. */
  idleTimeoutMs: number;
}

export interface DownloadResponse {
  status: number;
  /** Response headers by lower-case name. */
  headers: Record<string, string>;
  /**
   * The body, chunk by chunk, read only as fast as the caller takes it; it ends with HttpFailure when the connection
   * drops ('network'), stalls ('timeout') or passes maxBytes ('too_large').
   */
  body: AsyncIterable<Buffer>;
  /** Stops the transfer; for a caller that does not read the body to its end. */
  cancel(): void;
}

/** Sends one request; any status is a response, only transport failures throw (as HttpFailure). */
export interface HttpClient {
  request(request: HttpRequest): Promise<HttpResponse>;
  /** Starts a streamed GET; resolves once the headers arrived. */
  download(request: DownloadRequest): Promise<DownloadResponse>;
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
  /** Sockets to give the process as stdout and stderr (see output-channel.ts). */
  output: { stdout: Socket; stderr: Socket };
}

/** How the script's main process ended: an exit code or a signal, or an error that kept it from starting. */
export type ScriptEnd = { exit: { code: number | null; signal: NodeJS.Signals | null } } | { error: Error };

/** A started script: the root of its run (the run supervisor, or the script itself without one) and its main process. */
export interface ScriptProcess {
  /** Pid of the run's root, which leads the run's session; undefined when nothing started. */
  readonly pid: number | undefined;
  /** Whether the root is the run supervisor, a child subreaper that keeps every descendant under it (Linux). */
  readonly supervised: boolean;
  /** Resolves once, when the script's main process ended or could not start. */
  readonly ended: Promise<ScriptEnd>;
  /** Resolves when the root process itself is gone; under the supervisor that means no process of the run is left. */
  readonly gone: Promise<void>;
  /**
   * Lets the script start. Under the supervisor nothing of the script runs before this, so the agent records the run
   * first and a kill at any moment leaves nothing it cannot find (issue 9); without it the script is already running.
   */
  begin(): void;
}

/** Starts scripts in a new session with stdin from /dev/null, and signals and lists processes for the watchdog. */
export interface Spawner {
  /** Absolute path of `name` in the first directory of `searchPath` holding an executable of that name, or null. */
  findExecutable(name: string, searchPath: readonly string[]): Promise<string | null>;
  /** Starts a script under the run supervisor when it is available. */
  spawn(command: string, args: readonly string[], request: SpawnRequest): ScriptProcess;
  /** Runs a helper (no supervisor, output discarded) and resolves with its exit code, or null when it was killed or failed to start. */
  runHelper(command: string, args: readonly string[], request: Omit<SpawnRequest, 'output'> & { timeoutMs: number }): Promise<number | null>;
  /** Sends `signal` to one process; one that is already gone is not an error. */
  signal(pid: number, signal: NodeJS.Signals): void;
  /** Sends `signal` to the whole process group `pgid`; a group that is already gone is not an error. */
  signalGroup(pgid: number, signal: NodeJS.Signals): void;
  /** The live process table, or null where the platform has none the agent can read (see process-table.ts). */
  readonly processes: ProcessTable | null;
  /** Why runs are contained less than fully on this machine (to log), or null when the supervisor is in use. */
  readonly containmentGap: string | null;
  /** Effective uid of the agent process. */
  currentUid(): number;
}

/** How an install ended: the installer's own words when it failed. */
export type InstallOutcome = { installed: true } | { installed: false; message: string };

/** Installs a downloaded, verified package on this machine (the macOS installer; a test command elsewhere). */
export interface Installer {
  /** Never rejects for a failed install: the outcome says why, in the installer's words where it gave some. */
  install(packagePath: string): Promise<InstallOutcome>;
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
  /** Forgets the key (the device was retired); none kept is not an error. */
  deleteDeviceKey(): Promise<void>;
}

/**
 * Content-addressed store of encrypted script blobs, each named by its sha256 (issue 10).
 *
 * It does not vouch for what it returns: whoever uses a blob checks it against the signed size and sha256 first.
 */
export interface BlobStore {
  /** Stores `data` durably under its sha256 and returns that (lower-case hex). */
  put(data: Buffer): Promise<string>;
  /** The bytes stored under `sha256`, or null when there are none. */
  get(sha256: string): Promise<Buffer | null>;
  /** Removes every blob whose sha256 is not in `keep`. */
  retain(keep: ReadonlySet<string>): Promise<void>;
}

/**
 * Durable agent state: the state (kept in slices, one per capability), the blob store, the result/event outbox and
 * the run journal. Every read is validated.
 */
export interface StateStore {
  readState(): Promise<AgentState | null>;
  /** Writes what changed since the last read or write; each slice on its own, atomically. */
  writeState(state: AgentState): Promise<void>;
  readonly blobs: BlobStore;
  putOutbox(entry: OutboxEntry): Promise<void>;
  listOutbox(): Promise<OutboxEntry[]>;
  removeOutbox(entry: OutboxEntry): Promise<void>;
  /** Takes an entry the server refused for good out of the outbox, keeping it on disk for inspection. */
  rejectOutbox(entry: OutboxEntry): Promise<void>;
  putJournal(entry: JournalEntry): Promise<void>;
  listJournal(): Promise<JournalEntry[]>;
  removeJournal(executionId: string): Promise<void>;
  /** Files the list methods set aside as unreadable and nobody has reported yet. */
  listSetAside(): Promise<SetAsideFile[]>;
  /** Files a reported set-aside file with the refused entries, so it is reported once. */
  keepSetAside(file: SetAsideFile): Promise<void>;
}

/** A state file that could not be read and was set aside; its name is all that tells what it held. */
export interface SetAsideFile {
  /** `journal`: the record of a run in progress; `outbox`: a result or event waiting to be sent. */
  kind: 'journal' | 'outbox';
  /** Its name before it was set aside, e.g. `<executionId>.json`. */
  name: string;
  /** Why it could not be read. */
  reason: string;
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

/** The process table port: which processes exist, with their parent, group, session and a start identity (issue 9). */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  /** Tells two processes that had the same pid apart (boot and start time); opaque, only ever compared. */
  startId: string;
  zombie: boolean;
}

/** A read of the live process table; synchronous, so a snapshot and the kills that follow it are as close as can be. */
export interface ProcessTable {
  /** Every process visible to the agent (root sees all). */
  list(): ProcessInfo[];
  /** The start identity of `pid` now, or null when there is no such process. */
  startIdOf(pid: number): string | null;
}
