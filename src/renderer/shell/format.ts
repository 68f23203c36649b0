// Sizes, ratings and durations written for the user's locale, the way macOS writes them (decimal units: 1 MB = 1,000,000 bytes).
import type { IntlShape } from 'react-intl';

const UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;

export function formatBytes(intl: IntlShape, bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return intl.formatNumber(value, { style: 'unit', unit: UNITS[unit], unitDisplay: unit === 0 ? 'long' : 'short', maximumFractionDigits: unit < 2 ? 0 : 1 });
}

/** An average rating with one decimal: 4.3, or 4,3 in German. */
export function formatRating(intl: IntlShape, average: number): string {
  return intl.formatNumber(average, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

export function formatPercent(intl: IntlShape, fraction: number): string {
  return intl.formatNumber(fraction, { style: 'percent', maximumFractionDigits: 0 });
}

/** A run duration: milliseconds below a second, then seconds with one decimal, then minutes and seconds. */
export function formatDuration(intl: IntlShape, ms: number): string {
  const unit = (value: number, name: 'millisecond' | 'second' | 'minute', fractionDigits = 0) =>
    intl.formatNumber(value, { style: 'unit', unit: name, unitDisplay: 'short', minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits });
  if (ms < 1000) return unit(Math.round(ms), 'millisecond');
  if (ms < 60_000) return unit(Math.floor(ms / 100) / 10, 'second', 1);
  const totalSeconds = Math.round(ms / 1000);
  return `${unit(Math.floor(totalSeconds / 60), 'minute')} ${unit(totalSeconds % 60, 'second')}`;
}

/** A time left, rounded to whole minutes, as words for the locale: "4 minutes", "1 hour 5 minutes" ("1 Stunde 5 Minuten"). */
export function formatMinutesLeft(intl: IntlShape, seconds: number): string {
  const unit = (value: number, name: 'hour' | 'minute') => intl.formatNumber(value, { style: 'unit', unit: name, unitDisplay: 'long' });
  const minutes = Math.max(1, Math.round(seconds / 60));
  if (minutes < 60) return unit(minutes, 'minute');
  const rest = minutes % 60;
  return rest === 0 ? unit(minutes / 60, 'hour') : `${unit(Math.floor(minutes / 60), 'hour')} ${unit(rest, 'minute')}`;
}
