// A Clock whose wall time and timers the scheduler tests move by hand, with the wall clock able to jump on its own.
import type { Clock } from '../../src/agent/core/ports';

interface Timer {
  /** Monotonic time it fires at. */
  at: number;
  seq: number;
  callback: () => void;
}

/**
 * Timers run on a monotonic clock, as Node's do: `advance` moves both clocks and fires what falls due, `jump` moves
 * only the wall clock, which is what a Mac's sleep (the monotonic clock stops) or a manual clock change looks like.
 */
export class FakeClock implements Clock {
  private wallMs: number;
  private monoMs = 0;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start: Date) {
    this.wallMs = start.getTime();
  }

  now(): Date {
    return new Date(this.wallMs);
  }

  schedule(ms: number, callback: () => void): () => void {
    const timer = { at: this.monoMs + Math.max(0, ms), seq: this.seq++, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  jump(ms: number): void {
    this.wallMs += ms;
  }

  /** Moves time forward by `ms`, firing timers in order; `settle` runs after each so work they start can finish. */
  async advance(ms: number, settle: () => Promise<void>): Promise<void> {
    const target = this.monoMs + ms;
    for (let fired = 0; ; fired++) {
      if (fired > 10_000) throw new Error('more than 10,000 timers fired in one advance; a timer loop is likely');
      const next = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (next === undefined) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.wallMs += next.at - this.monoMs;
      this.monoMs = next.at;
      next.callback();
      await settle();
    }
    this.wallMs += target - this.monoMs;
    this.monoMs = target;
  }

  /** Timers still waiting, for tests that check nothing is left behind. */
  pendingTimers(): number {
    return this.timers.length;
  }
}
