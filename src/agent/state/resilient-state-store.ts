// A StateStore in front of the disk that never loses a finished result the disk refuses (issue 9): it waits in memory until it is durable or delivered.
import type { DeviceEvent } from '../../shared/protocol';
import { outboxEntryId, type AgentState, type JournalEntry, type OutboxEntry } from '../core/agent-state';
import type { BlobStore, Clock, Logger, SetAsideFile, StateStore } from '../core/ports';
import { stateUnwritableEvent } from '../outbox/report-events';
import { messageOf } from '../core/error-message';

/** Most entries held in memory; past that a refused write fails as before, and the run's journal entry reports it as interrupted. */
const MAX_HELD_ENTRIES = 200;

interface WriteProblem {
  message: string;
  code: string | null;
  since: Date;
}

/**
 * Wraps the state store the agent core writes through.
 *
 * An outbox entry the disk refuses (ENOSPC, EIO, ...) is held in memory and listed with the outbox, so it is still
 * delivered; `persistHeld` retries writing it. While a result is only in memory its journal entry stays on disk, so
 * an agent that dies meanwhile still reports the run as interrupted after restart. Every failed write opens (or
 * continues) a write-problem episode, which the status shows and which is reported once as a device event.
 */
export class ResilientStateStore implements StateStore {
  private readonly held = new Map<string, OutboxEntry>();
  /** Journal entries removed by the agent whose result is not durable yet: removed from disk once it is. */
  private readonly journalsDue = new Set<string>();
  private problem: WriteProblem | null = null;
  /** A blob the disk refuses fails its delivery, which the next check-in tries again; the refusal counts as a write problem. */
  readonly blobs: BlobStore;

  constructor(
    private readonly disk: StateStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.blobs = {
      put: (data) => this.guard(() => disk.blobs.put(data)),
      get: (sha256) => disk.blobs.get(sha256),
      retain: (keep) => disk.blobs.retain(keep),
    };
  }

  readState(): Promise<AgentState | null> {
    return this.disk.readState();
  }

  writeState(state: AgentState): Promise<void> {
    return this.guard(() => this.disk.writeState(state));
  }

  async putOutbox(entry: OutboxEntry): Promise<void> {
    const key = keyOf(entry);
    try {
      await this.guard(() => this.disk.putOutbox(entry));
      this.held.delete(key);
    } catch (error) {
      if (!isFileSystemError(error) || (this.held.size >= MAX_HELD_ENTRIES && !this.held.has(key))) throw error;
      this.held.set(key, entry);
      this.logger.warn('kept an outbox entry in memory: the state folder refused it', { id: outboxEntryId(entry), kind: entry.kind, reason: messageOf(error) });
    }
  }

  async listOutbox(): Promise<OutboxEntry[]> {
    const onDisk = await this.disk.listOutbox();
    const keys = new Set(onDisk.map(keyOf));
    return [...onDisk, ...[...this.held.values()].filter((e) => !keys.has(keyOf(e)))];
  }

  async removeOutbox(entry: OutboxEntry): Promise<void> {
    await this.disk.removeOutbox(entry);
    this.held.delete(keyOf(entry));
    await this.settleJournal(entry);
  }

  async rejectOutbox(entry: OutboxEntry): Promise<void> {
    if (this.held.has(keyOf(entry))) {
      // Only in memory: it goes to disk first so that it can be kept with the other refused entries.
      await this.disk.putOutbox(entry).catch((error: unknown) => this.logger.warn('could not keep a refused outbox entry on disk', { id: outboxEntryId(entry), reason: messageOf(error) }));
      this.held.delete(keyOf(entry));
    }
    await this.disk.rejectOutbox(entry);
    await this.settleJournal(entry);
  }

  putJournal(entry: JournalEntry): Promise<void> {
    return this.guard(() => this.disk.putJournal(entry));
  }

  async listJournal(): Promise<JournalEntry[]> {
    return (await this.disk.listJournal()).filter((e) => !this.journalsDue.has(e.executionId));
  }

  async removeJournal(executionId: string): Promise<void> {
    if (this.held.has(`result:${executionId}`)) {
      this.journalsDue.add(executionId);
      return;
    }
    await this.disk.removeJournal(executionId);
  }

  listSetAside(): Promise<SetAsideFile[]> {
    return this.disk.listSetAside();
  }

  keepSetAside(file: SetAsideFile): Promise<void> {
    return this.disk.keepSetAside(file);
  }

  /** Writes what is held in memory to disk, retried each check-in cycle (and so with its back-off). */
  async persistHeld(): Promise<void> {
    const waiting = [...this.held.values()];
    for (const entry of waiting) {
      await this.guard(() => this.disk.putOutbox(entry));
      this.held.delete(keyOf(entry));
      await this.settleJournal(entry);
    }
    if (waiting.length > 0 && this.held.size === 0) this.problem = null;
    for (const executionId of [...this.journalsDue]) {
      if (this.held.has(`result:${executionId}`)) continue;
      await this.disk.removeJournal(executionId);
      this.journalsDue.delete(executionId);
    }
  }

  /** Why the state folder refuses writes, in one sentence for the status; null while writes succeed. */
  writeProblem(): string | null {
    return this.problem?.message ?? null;
  }

  private async guard<T>(write: () => Promise<T>): Promise<T> {
    let written: T;
    try {
      written = await write();
    } catch (error) {
      if (isFileSystemError(error)) this.noteProblem(error);
      throw error;
    }
    // The episode ends with a write that works once nothing waits in memory; delivering what waited is not enough.
    if (this.held.size === 0) this.problem = null;
    return written;
  }

  /** Opens an episode and puts its report in memory, where it is delivered with the outbox; later failures only update the message. */
  private noteProblem(error: NodeJS.ErrnoException): void {
    const code = error.code ?? null;
    const full = code === 'ENOSPC' || code === 'EDQUOT';
    const message = full
      ? `the disk holding the agent's state folder is full (${error.message}), so finished results wait in memory until there is room; free some disk space`
      : `the agent cannot write to its state folder (${error.message}), so finished results wait in memory until it can; check the disk`;
    if (this.problem === null) {
      this.problem = { message, code, since: this.clock.now() };
      const report: DeviceEvent = stateUnwritableEvent(message, code, this.problem.since);
      this.held.set(keyOf({ kind: 'event', event: report }), { kind: 'event', event: report });
      this.logger.error('the state folder refuses writes', { code, reason: error.message });
    } else {
      this.problem.message = message;
    }
  }

  private async settleJournal(entry: OutboxEntry): Promise<void> {
    if (entry.kind !== 'result' || !this.journalsDue.has(entry.result.executionId)) return;
    await this.disk.removeJournal(entry.result.executionId);
    this.journalsDue.delete(entry.result.executionId);
  }
}

function keyOf(entry: OutboxEntry): string {
  return `${entry.kind}:${outboxEntryId(entry)}`;
}

/** An error from the file system (it has an errno code), as opposed to a bug such as a schema violation. */
function isFileSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && /^E[A-Z]+$/.test((error as NodeJS.ErrnoException).code!);
}
