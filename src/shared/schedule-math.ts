// Run instants of a schedule (DESIGN.md §5): pure zone math shared by the agent's scheduler, its CLI and the server's admin API.
import { Temporal } from 'temporal-polyfill';
import type { RecurringSchedule, ScheduleSpec, Weekday } from './schedule';

/** ISO day numbers of Temporal's `dayOfWeek` (Monday 1 ... Sunday 7). */
const ISO_DAY: Record<Weekday, number> = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 };

/**
 * Days scanned after `count` runs are found, because zone transitions can move a local time past midnight.
 *
 * The largest such move ever recorded is a whole day (Pacific/Apia skipped 2011-12-30), so two spare days are enough.
 */
const SPARE_DAYS = 2;

/** Whether `zone` is an IANA time zone (or UTC offset) this runtime knows. */
export function isKnownTimeZone(zone: string): boolean {
  try {
    Temporal.Now.instant().toZonedDateTimeISO(zone);
    return true;
  } catch {
    return false;
  }
}

/** The zone whose wall clock a recurring schedule's dates and times are read in. */
export function scheduleTimeZone(spec: RecurringSchedule, deviceTimeZone: string): string {
  return spec.timezone === 'utc' ? 'UTC' : deviceTimeZone;
}

/**
 * The first `count` run instants at or after `from`, ascending and distinct.
 *
 * A recurring schedule runs at each of its times on each of its days from `start` to `end` inclusive, read in the
 * schedule's zone ("device" means `deviceTimeZone`). A local time becomes an instant as RFC 5545 and Temporal's
 * `compatible` disambiguation do: inside a DST gap it is read with the offset in force before the gap (02:30 on a
 * spring-forward night runs at 03:30); a time that occurs twice runs at its first occurrence only. Two times that land
 * on the same instant (02:30 in a gap and 03:30) run once.
 *
 * An execute-once schedule has a single run, as soon as the configuration arrives: `from` (rounded up to a second).
 * Throws a RangeError when `deviceTimeZone` is needed and is not a known zone.
 */
export function nextRunInstants(spec: ScheduleSpec, from: Date, count: number, deviceTimeZone: string): Date[] {
  if (count <= 0) return [];
  if (spec.kind === 'once') return [new Date(Math.ceil(from.getTime() / 1000) * 1000)];
  return recurringRuns(spec, from, count, scheduleTimeZone(spec, deviceTimeZone));
}

/** The first run at or after `from`, or null when the schedule has no run left. */
export function nextRunAtOrAfter(spec: RecurringSchedule, from: Date, deviceTimeZone: string): Date | null {
  return recurringRuns(spec, from, 1, scheduleTimeZone(spec, deviceTimeZone))[0] ?? null;
}

function recurringRuns(spec: RecurringSchedule, from: Date, count: number, zone: string): Date[] {
  const fromMs = from.getTime();
  const end = Temporal.PlainDate.from(spec.end);
  const times = spec.times.map((time) => Temporal.PlainTime.from(time));
  const days = spec.frequency === 'weekly' ? new Set((spec.days ?? []).map((day) => ISO_DAY[day])) : null;
  // A local time of the day before `from`'s local date can still fall at or after `from` (a gap pushes it forward).
  const fromDay = Temporal.Instant.fromEpochMilliseconds(fromMs).toZonedDateTimeISO(zone).toPlainDate().subtract({ days: 1 });
  const start = Temporal.PlainDate.from(spec.start);
  const found = new Set<number>();
  let spareDays = SPARE_DAYS;
  for (let day = Temporal.PlainDate.compare(start, fromDay) > 0 ? start : fromDay; Temporal.PlainDate.compare(day, end) <= 0; day = day.add({ days: 1 })) {
    if (found.size >= count && spareDays-- === 0) break;
    if (days !== null && !days.has(day.dayOfWeek)) continue;
    for (const time of times) {
      const instantMs = day.toPlainDateTime(time).toZonedDateTime(zone, { disambiguation: 'compatible' }).epochMilliseconds;
      if (instantMs >= fromMs) found.add(instantMs);
    }
  }
  return [...found]
    .sort((a, b) => a - b)
    .slice(0, count)
    .map((ms) => new Date(ms));
}

/** `YYYY-MM-DDTHH:MM:SSZ`: how run instants are printed and shown. */
export function formatRunInstant(instant: Date): string {
  return instant.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
