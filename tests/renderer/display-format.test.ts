// Durations as the status page writes them (timestamps are react-intl's, per locale).
import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../src/renderer/display-format';

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
