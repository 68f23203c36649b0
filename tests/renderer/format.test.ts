// Durations as the Activity page writes them, per locale (timestamps are react-intl's).
import { createIntl } from 'react-intl';
import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../src/renderer/shell/format';

const english = createIntl({ locale: 'en' });
const german = createIntl({ locale: 'de' });

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [999, '999 ms'],
    [1000, '1.0 sec'],
    [1234, '1.2 sec'],
    [59_949, '59.9 sec'],
    [60_000, '1 min 0 sec'],
    [84_000, '1 min 24 sec'],
    [3_725_000, '62 min 5 sec'],
  ])('writes %d ms as %s in English', (ms, expected) => {
    expect(formatDuration(english, ms)).toBe(expected);
  });

  it.each([
    [999, '999 ms'],
    [1234, '1,2 Sek.'],
    [84_000, '1 Min. 24 Sek.'],
  ])('writes %d ms as %s in German', (ms, expected) => {
    expect(formatDuration(german, ms)).toBe(expected);
  });
});
