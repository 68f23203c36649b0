// Schedule spec validation and run-instant math against the independently computed case table (schedule-cases.ts).
import { describe, expect, it } from 'vitest';
import { parseScheduleSpec, ScheduleSpecSchema, type RecurringSchedule } from '../../src/shared/schedule';
import { formatRunInstant, isKnownTimeZone, nextRunAtOrAfter, nextRunInstants } from '../../src/shared/schedule-math';
import { SCHEDULE_CASES } from './schedule-cases';

describe('run instants', () => {
  it('has a table of at least 30 cases over at least 8 zones', () => {
    expect(SCHEDULE_CASES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(SCHEDULE_CASES.map((c) => c.deviceTz)).size).toBeGreaterThanOrEqual(8);
  });

  it.each(SCHEDULE_CASES)('$name', ({ spec, from, count, deviceTz, expected }) => {
    const valid = ScheduleSpecSchema.parse(spec);
    expect(nextRunInstants(valid, new Date(from), count, deviceTz).map(formatRunInstant)).toEqual(expected);
  });

  it.each(SCHEDULE_CASES)('walks the same runs one at a time: $name', ({ spec, from, count, deviceTz, expected }) => {
    const walked: string[] = [];
    let next = new Date(from);
    for (let i = 0; i < count; i++) {
      const run = nextRunAtOrAfter(spec as RecurringSchedule, next, deviceTz);
      if (run === null) break;
      walked.push(formatRunInstant(run));
      next = new Date(run.getTime() + 1);
    }
    expect(walked).toEqual(expected);
  });

  it('reads a UTC schedule the same on every device', () => {
    const spec = ScheduleSpecSchema.parse({ kind: 'recurring', timezone: 'utc', start: '2026-03-28', end: '2026-04-05', frequency: 'daily', times: ['02:30'] });
    const from = new Date('2026-03-28T00:00:00Z');
    const inUtc = nextRunInstants(spec, from, 10, 'UTC').map(formatRunInstant);
    for (const zone of ['Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Australia/Lord_Howe', 'America/New_York']) {
      expect(nextRunInstants(spec, from, 10, zone).map(formatRunInstant)).toEqual(inUtc);
    }
  });

  it('gives an execute-once schedule a single run when it arrives, on a whole second', () => {
    expect(nextRunInstants({ kind: 'once' }, new Date('2026-05-10T12:00:00.250Z'), 5, 'Europe/Berlin').map(formatRunInstant)).toEqual(['2026-05-10T12:00:01Z']);
    expect(nextRunInstants({ kind: 'once' }, new Date('2026-05-10T12:00:00Z'), 5, 'Europe/Berlin').map(formatRunInstant)).toEqual(['2026-05-10T12:00:00Z']);
  });

  it('gives nothing for a count of zero', () => {
    expect(nextRunInstants(SCHEDULE_CASES[0]!.spec, new Date('2026-01-01T00:00:00Z'), 0, 'Europe/Berlin')).toEqual([]);
  });

  it('refuses an unknown device zone for a device-time schedule', () => {
    expect(isKnownTimeZone('Europe/Berlin')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(() => nextRunInstants(SCHEDULE_CASES[0]!.spec, new Date('2026-01-01T00:00:00Z'), 1, 'Mars/Olympus_Mons')).toThrow(RangeError);
  });

  it('lists 10,000 runs of a 48-times-a-day schedule quickly', () => {
    const times = Array.from({ length: 48 }, (_, i) => `${String(Math.floor(i / 2)).padStart(2, '0')}:${i % 2 === 0 ? '00' : '30'}`);
    const spec = ScheduleSpecSchema.parse({ kind: 'recurring', timezone: 'device', start: '2026-01-01', end: '9999-12-31', frequency: 'daily', times });
    const started = performance.now();
    const runs = nextRunInstants(spec, new Date('2026-03-01T00:00:00Z'), 10_000, 'Europe/Berlin');
    expect(performance.now() - started).toBeLessThan(5000);
    expect(runs).toHaveLength(10_000);
    expect(runs.every((run, i) => i === 0 || run.getTime() > runs[i - 1]!.getTime())).toBe(true);
  });
});

describe('schedule spec', () => {
  const recurring = { kind: 'recurring', timezone: 'device', start: '2026-12-01', end: '2026-12-31', frequency: 'weekly', days: ['mon', 'thu'], times: ['09:30'] };

  it('accepts the specs of DESIGN.md §5', () => {
    expect(ScheduleSpecSchema.parse({ kind: 'once' })).toEqual({ kind: 'once' });
    expect(ScheduleSpecSchema.parse(recurring)).toEqual(recurring);
    expect(parseScheduleSpec({ ...recurring, frequency: 'daily', days: undefined, start: '2026-12-31' }).success).toBe(true);
  });

  it.each([
    ['not an object', 'daily', 'the spec must be "once" or "recurring"'],
    ['an unknown kind', { kind: 'hourly' }, 'kind must be "once" or "recurring"'],
    ['a field once does not have', { kind: 'once', times: ['09:00'] }, 'the spec has unknown field times'],
    ['a misspelt field', { ...recurring, time: ['09:00'] }, 'the spec has unknown field time'],
    ['an end before the start', { ...recurring, end: '2026-11-30' }, 'end must be on or after the start date'],
    ['a day that does not exist', { ...recurring, start: '2026-02-29' }, 'start must be a day that exists in the calendar'],
    ['a date in another format', { ...recurring, end: '31/12/2026' }, 'end must be a date written YYYY-MM-DD'],
    ['a missing date', { ...recurring, start: undefined }, 'start must be a date written YYYY-MM-DD'],
    ['24:00', { ...recurring, times: ['24:00'] }, 'times.0 must be a time written HH:MM, 24-hour'],
    ['a time without a leading zero', { ...recurring, times: ['09:30', '9:45'] }, 'times.1 must be a time written HH:MM, 24-hour'],
    ['no times', { ...recurring, times: [] }, 'times must hold at least one time'],
    ['a time twice', { ...recurring, times: ['09:30', '09:30'] }, 'times must not hold a time twice'],
    ['49 times', { ...recurring, times: Array.from({ length: 49 }, (_, i) => `${String(i % 24).padStart(2, '0')}:${String(i).padStart(2, '0')}`) }, 'times must hold at most 48 times'],
    ['weekly without days', { ...recurring, days: undefined }, 'days are required for a weekly schedule'],
    ['daily with days', { ...recurring, frequency: 'daily' }, 'days are only for weekly schedules'],
    ['an unknown day', { ...recurring, days: ['mon', 'funday'] }, 'days.1 must be one of mon, tue, wed, thu, fri, sat, sun'],
    ['a day twice', { ...recurring, days: ['mon', 'mon'] }, 'days must not name a day twice'],
    ['no days', { ...recurring, days: [] }, 'days must name at least one day'],
    ['a zone other than device or utc', { ...recurring, timezone: 'Europe/Paris' }, 'timezone must be "device" or "utc"'],
    ['an unknown frequency', { ...recurring, frequency: 'monthly' }, 'frequency must be "daily" or "weekly"'],
  ])('refuses %s, saying why in one sentence', (_name, spec, why) => {
    expect(parseScheduleSpec(spec)).toEqual({ success: false, message: `schedule spec is invalid: ${why}` });
  });
});
