// The one place API input is bounded to what storage holds: text without NUL, integers within their columns (issue 9).
import { z } from 'zod';

/** Largest value of a PostgreSQL `integer` column (SQLite's are wider): versions, sizes and counters are stored as one. */
export const INT32_MAX = 2_147_483_647;
export const INT32_MIN = -2_147_483_648;

/** Text a database column or a JSON text column can hold: PostgreSQL refuses U+0000 in `text`, so every text field refuses it. */
export function Text(max: number): z.ZodString {
  return z.string().max(max).refine((s) => !s.includes('\u0000'), { message: 'must not contain NUL characters' });
}

/** A whole number from `min` to `max`; both within INT32 so it fits an `integer` column on either database. */
export function BoundedInt(min: number, max: number): z.ZodNumber {
  return z.number().int().min(Math.max(min, INT32_MIN)).max(Math.min(max, INT32_MAX));
}

/** BoundedInt for a query string parameter, which arrives as text. */
export function QueryInt(min: number, max: number): z.ZodCoercedNumber<unknown> {
  return z.coerce.number().int().min(Math.max(min, INT32_MIN)).max(Math.min(max, INT32_MAX));
}

/** A version number (scripts, configurations): stored in `integer` columns. */
export const Version = BoundedInt(1, INT32_MAX);

/** A byte count or duration kept only inside JSON text: any integer JavaScript represents exactly. */
export const JsonCount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
