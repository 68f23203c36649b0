// The UIs' status subscriptions: each change is read once and handed to every listener, one failing listener never stops the others.
import type { AgentStatus } from '../../shared/agent-status';
import type { Logger } from '../core/ports';

export class StatusListeners {
  private readonly listeners = new Set<(status: AgentStatus) => void>();

  constructor(
    private readonly read: () => Promise<AgentStatus>,
    private readonly logger: Logger,
  ) {}

  /** Adds a listener; returns the unsubscribe function. */
  add(listener: (status: AgentStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(): void {
    if (this.listeners.size === 0) return;
    void this.read().then((status) => {
      for (const listener of this.listeners) {
        try {
          listener(status);
        } catch (error) {
          this.logger.warn('a status listener failed', { reason: error instanceof Error ? error.message : String(error) });
        }
      }
    });
  }
}
