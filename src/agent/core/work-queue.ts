// The agent's serial queues: the check-in queue, and one for device work that can take minutes (installs, onboarding steps) so it never holds up check-ins.
import type { Logger } from './ports';

/**
 * Runs enqueued tasks one at a time, in order. The agent has two: the check-in queue (check-ins, scheduled runs, enrollment
 * and everything else that changes the agent state) and the work queue for long device work beside it.
 *
 * A task that fails is logged and the next one still runs. Tasks on the work queue are not serialised with check-ins or
 * scheduled runs: one that must change the agent state hands that short step back to the check-in queue.
 */
export class SerialWorkQueue {
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly logger: Logger) {}

  /**
   * Queues `task` behind the work already queued; `what` names it in the log if it fails. Returns at once: a check-in
   * receiver that queues long work must not wait for it.
   */
  enqueue(what: string, task: () => Promise<void>): void {
    void this.run(what, task);
  }

  /** Queues `task` like enqueue, and settles once it has; never rejects, so one failed task cannot block the next. */
  run(what: string, task: () => Promise<void>): Promise<void> {
    this.tail = this.tail.then(task).catch((error: unknown) => this.logger.error(`${what} failed`, { reason: error instanceof Error ? error.message : String(error) }));
    return this.tail;
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
