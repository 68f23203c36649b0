// When the next check-in cycle runs after failures: doubling back-off, never sooner than the server's Retry-After (issue 9).
import type { Clock } from '../core/ports';

/** Longest wait between check-ins whatever the server says, so a bad answer cannot silence a device for good. */
export const MAX_CHECKIN_INTERVAL_MS = 24 * 3600 * 1000;

/** How often an unusable device key is looked at again without a check-in in between (issue 9). */
export const KEY_RECHECK_MS = 3600 * 1000;

export interface BackoffOptions {
  /** Wait after the first failed cycle (default 5 s); it doubles with each further failure. */
  firstRetryDelayMs?: number;
  /** Longest wait after failed cycles (default 5 min); a longer Retry-After from the server still wins. */
  maxRetryDelayMs?: number;
}

export class CheckinBackoff {
  private failures = 0;
  /** Wall time before which the server asked not to be called again. */
  private quietUntilMs = 0;

  constructor(
    private readonly clock: Clock,
    private readonly options: BackoffOptions,
  ) {}

  /** A round that went through: the server answers again, so its earlier Retry-After no longer holds. */
  succeeded(): void {
    this.failures = 0;
    this.quietUntilMs = 0;
  }

  /** Counts a failed cycle; `retryAfterMs` is the server's Retry-After, if it sent one. */
  failed(retryAfterMs: number | null): void {
    this.failures++;
    if (retryAfterMs !== null) this.quietUntilMs = Math.max(this.quietUntilMs, this.clock.now().getTime() + Math.min(retryAfterMs, MAX_CHECKIN_INTERVAL_MS));
  }

  /** The wait before the next attempt after the failures counted so far. */
  delayMs(): number {
    const first = this.options.firstRetryDelayMs ?? 5000;
    const max = this.options.maxRetryDelayMs ?? 5 * 60 * 1000;
    const backoff = Math.min(max, first * 2 ** Math.max(0, Math.min(this.failures - 1, 20)));
    return Math.max(backoff, this.quietUntilMs - this.clock.now().getTime());
  }

  /** Whether the server's Retry-After has not yet passed, so nothing should be sent to it now. */
  quiet(): boolean {
    return this.clock.now().getTime() < this.quietUntilMs;
  }
}
