// Durations and timestamps as the status page writes them.
import { describe, expect, it } from 'vitest';
import { formatDateTime, formatDuration } from '../../src/renderer/display-format';

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [999, '999 ms'],
    [1000, '1.0 s'],
    [1234, '1.2 s'],
    [59_949, '59.9 s'],
    [60_000, '1 min 0 s'],
    [84_000, '1 min 24 s'],
    [3_725_000, '62 min 5 s'],
  ])('writes %d ms as %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe('formatDateTime', () => {
  it('formats a timestamp with its year and leaves non-dates as they are', () => {
    expect(formatDateTime('2026-11-24T10:00:05.000Z')).toContain('2026');
    expect(formatDateTime('not a date')).toBe('not a date');
  });
});
