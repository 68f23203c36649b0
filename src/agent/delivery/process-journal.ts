// Keeps a running script's journal entry current: who its processes are, and a heartbeat that bounds when an agent that died stopped (issue 9).
import type { JournalEntry } from '../core/agent-state';
import type { Clock, Logger, StateStore } from '../core/ports';
import type { RunStart } from '../runner/script-runner';

/**
 * How often `lastAliveAt` is refreshed while a script runs. An interrupted run is reported as ended at its last
 * heartbeat, so that is at most this long (plus one journal write) before the agent really stopped.
 */
export const JOURNAL_HEARTBEAT_MS = 5000;

/** The journal entry of one run from the moment its processes started until its result is in the outbox. */
export class RunJournal {
  private entry: JournalEntry;
  private writes: Promise<void> = Promise.resolve();
  private cancelHeartbeat: (() => void) | null = null;
  private stopped = false;

  constructor(
    entry: JournalEntry,
    private readonly store: Pick<StateStore, 'putJournal'>,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.entry = entry;
  }

  /** Records the run's processes and folder (the runner's onStarted) and starts the heartbeat; resolves once that is durable. */
  started(start: RunStart): Promise<void> {
    this.write({ process: start.process, workFolder: start.workFolder });
    this.beat();
    return this.writes;
  }

  /** Stops the heartbeat and waits for the last write, so none lands after the entry is removed. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelHeartbeat?.();
    await this.writes;
  }

  private beat(): void {
    this.cancelHeartbeat = this.clock.schedule(JOURNAL_HEARTBEAT_MS, () => {
      if (this.stopped) return;
      this.write({});
      this.beat();
    });
  }

  private write(change: Partial<JournalEntry>): void {
    this.entry = { ...this.entry, ...change, lastAliveAt: this.clock.now().toISOString() };
    const entry = this.entry;
    this.writes = this.writes.then(async () => {
      if (this.stopped && change.process === undefined) return;
      await this.store.putJournal(entry).catch((error: unknown) =>
        this.logger.warn('could not refresh the journal entry of a running script', { executionId: entry.executionId, reason: String(error) }),
      );
    });
  }
}
