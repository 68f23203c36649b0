// Shared pieces of the kept-schedule tests: a start time the tenant's certificates cover, a daily 09:30 UTC schedule, a run marker.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ScheduleSpec } from '../../src/shared/schedule';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** 09:00Z on the next day: near enough to now that certificates issued now are valid then. */
export const T0 = new Date(Math.floor(Date.now() / DAY) * DAY + DAY + 9 * HOUR);
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** Every day at 09:30 UTC for 30 days from T0. */
export const dailyAt930: ScheduleSpec = { kind: 'recurring', timezone: 'utc', start: dateOf(T0.getTime()), end: dateOf(T0.getTime() + 30 * DAY), frequency: 'daily', times: ['09:30'] };

/** A file in `dir` that test scripts append a line to at each run, and the reader of those lines. */
export function runMarker(dir: string): { file: string; runs: () => Promise<string[]> } {
  const file = join(dir, 'runs');
  return { file, runs: async () => (existsSync(file) ? (await readFile(file, 'utf8')).split('\n').filter(Boolean) : []) };
}
