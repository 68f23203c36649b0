// Script schedule spec shared by server (validation) and agent (evaluation), DESIGN.md §5.
import { z } from 'zod';

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'dates are YYYY-MM-DD');
const LocalTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'times are HH:MM, 24-hour');
export const Weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

export const OnceScheduleSchema = z.object({ kind: z.literal('once') });

export const RecurringScheduleSchema = z
  .object({
    kind: z.literal('recurring'),
    timezone: z.enum(['device', 'utc']),
    start: IsoDate,
    end: IsoDate,
    frequency: z.enum(['daily', 'weekly']),
    days: z.array(Weekday).min(1).optional(),
    times: z.array(LocalTime).min(1).max(48),
  })
  .refine((s) => s.end >= s.start, { message: 'end date must be on or after the start date' })
  .refine((s) => (s.frequency === 'weekly') === (s.days !== undefined), {
    message: 'days are required for weekly schedules and not allowed for daily ones',
  });

export const ScheduleSpecSchema = z.union([OnceScheduleSchema, RecurringScheduleSchema]);
export type ScheduleSpec = z.infer<typeof ScheduleSpecSchema>;
