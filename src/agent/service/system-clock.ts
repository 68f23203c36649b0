// The Node Clock: wall time and timers.
import type { Clock } from '../core/ports';

export const systemClock: Clock = {
  now: () => new Date(),
  schedule(ms, callback) {
    const timer = setTimeout(callback, ms);
    return () => clearTimeout(timer);
  },
};
