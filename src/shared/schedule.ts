// Script schedule spec shared by server (validation) and agent (evaluation), DESIGN.md §5.
import { Temporal } from 'temporal-polyfill';
import { z } from 'zod';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const Weekday = z.enum(WEEKDAYS, { error: `must be one of ${WEEKDAYS.join(', ')}` });
export type Weekday = z.infer<typeof Weekday>;

/** Most run times one day of a schedule may have (every half hour). */
export const MAX_TIMES_PER_DAY = 48;

/** Whether `text` (already YYYY-MM-DD) names a day that exists: 2026-02-29 does not. */
function isCalendarDate(text: string): boolean {
  try {
    Temporal.PlainDate.from(text, { overflow: 'reject' });
    return true;
  } catch {
    return false;
  }
}

const IsoDate = z
  .string({ error: 'must be a date written YYYY-MM-DD' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD')
  .refine(isCalendarDate, 'must be a day that exists in the calendar');
const LOCAL_TIME_FORMAT = 'must be a time written HH:MM, 24-hour';
const LocalTime = z.string({ error: LOCAL_TIME_FORMAT }).regex(/^([01]\d|2[0-3]):[0-5]\d$/, LOCAL_TIME_FORMAT);

const unique = (values: readonly string[]): boolean => new Set(values).size === values.length;

/** Unknown fields are refused rather than ignored, so a typo ("time" for "times") is an error, not a silent default. */
const noUnknownFields = {
  error: (issue: { code?: string; keys?: string[] }) =>
    issue.code === 'unrecognized_keys' ? `has unknown field${issue.keys?.length === 1 ? '' : 's'} ${(issue.keys ?? []).join(', ')}` : undefined,
};

export const OnceScheduleSchema = z.strictObject({ kind: z.literal('once') }, noUnknownFields);

export const RecurringScheduleSchema = z
  .strictObject(
    {
      kind: z.literal('recurring'),
      /** "device": the device's current IANA zone, re-read at each computation; "utc": the same instants everywhere. */
      timezone: z.enum(['device', 'utc'], { error: 'must be "device" or "utc"' }),
      /** First day with runs, inclusive, in the schedule's zone. */
      start: IsoDate,
      /** Last day with runs, inclusive, in the schedule's zone. */
      end: IsoDate,
      frequency: z.enum(['daily', 'weekly'], { error: 'must be "daily" or "weekly"' }),
      days: z
        .array(Weekday, { error: 'must be a list of days such as ["mon","thu"]' })
        .min(1, 'must name at least one day')
        .refine(unique, 'must not name a day twice')
        .optional(),
      times: z
        .array(LocalTime, { error: 'must be a list of times such as ["09:30"]' })
        .min(1, 'must hold at least one time')
        .max(MAX_TIMES_PER_DAY, `must hold at most ${MAX_TIMES_PER_DAY} times`)
        .refine(unique, 'must not hold a time twice'),
    },
    noUnknownFields,
  )
  .refine((s) => s.end >= s.start, { message: 'must be on or after the start date', path: ['end'] })
  .refine((s) => s.frequency !== 'weekly' || s.days !== undefined, { message: 'are required for a weekly schedule', path: ['days'] })
  .refine((s) => s.frequency !== 'daily' || s.days === undefined, { message: 'are only for weekly schedules', path: ['days'] });
export type RecurringSchedule = z.infer<typeof RecurringScheduleSchema>;

export const ScheduleSpecSchema = z.discriminatedUnion('kind', [OnceScheduleSchema, RecurringScheduleSchema], {
  error: 'must be "once" or "recurring"',
});
export type ScheduleSpec = z.infer<typeof ScheduleSpecSchema>;

export type ScheduleSpecParse = { success: true; spec: ScheduleSpec } | { success: false; message: string };

/** Parses a spec and, when it is invalid, says why in one sentence naming the first offending field. */
export function parseScheduleSpec(value: unknown): ScheduleSpecParse {
  const parsed = ScheduleSpecSchema.safeParse(value);
  if (parsed.success) return { success: true, spec: parsed.data };
  const issue = parsed.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : 'the spec';
  return { success: false, message: `schedule spec is invalid: ${field} ${issue?.message ?? 'is not accepted'}` };
}
