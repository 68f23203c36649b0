// A small serial queue for device work that can take minutes (installs, onboarding steps), so it never holds up the check-in queue.
import type { Logger } from './ports';

/**
 * Runs enqueued tasks one at a time, in order, apart from the check-in queue.
 *
 * A task that fails is logged and the next one still runs. Tasks here are not serialised with check-ins or scheduled
 * runs: one that must change the agent state hands that short step back to the check-in queue.
 */
export class SerialWorkQueue {
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly logger: Logger) {}

  /** Queues `task` behind the work already queued; `what` names it in the log if it fails. */
  enqueue(what: string, task: () => Promise<void>): void {
    this.tail = this.tail.then(task).catch((error: unknown) => this.logger.error(`${what} failed`, { reason: error instanceof Error ? error.message : String(error) }));
  }

  /** Resolves once everything queued so far (and anything queued meanwhile) has settled. */
  async idle(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.tail;
      await current;
    } while (current !== this.tail);
  }
}
