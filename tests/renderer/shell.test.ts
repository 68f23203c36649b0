// The shell's pieces: icon placeholders, image URLs, sizes and ratings per locale, error sentences, and the query cache
// following the agent's events.
import { describe, expect, it } from 'vitest';
import { createIntl } from 'react-intl';
import { ServiceError } from '../../src/shared/agent-service-contract';
import { en } from '../../src/renderer/i18n/messages.en';
import { i18nFor } from '../../src/renderer/i18n/use-i18n';
import { applyInstallsEvent, applyStatusEvent } from '../../src/renderer/shell/agent-events';
import { queryKeys } from '../../src/renderer/shell/agent-queries';
import { hueOf, initialsOf } from '../../src/renderer/shell/app-icon';
import { createQueryClient } from '../../src/renderer/shell/app-providers';
import { errorText } from '../../src/renderer/shell/error-text';
import { formatBytes, formatPercent, formatRating } from '../../src/renderer/shell/format';
import { imageUrl } from '../../src/renderer/shell/image-url';
import { makeInstall, makeStatus } from '../support/fake-agent-service';

const english = createIntl({ locale: 'en', messages: en });
const german = createIntl({ locale: 'de-DE', messages: en });

describe('app icon placeholders', () => {
  it.each([
    ['Team Notes', 'TN'],
    ['chat', 'CH'],
    ['PDF-Expert reader', 'PE'],
    ['  ', '?'],
    ['Élan', 'ÉL'],
  ])('writes %j as %s', (name, initials) => expect(initialsOf(name)).toBe(initials));

  it('gives a name always the same of six colours', () => {
    expect(hueOf('Team Notes')).toBe(hueOf('Team Notes'));
    expect(new Set(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map(hueOf)).size).toBeGreaterThan(1);
    expect(['a', 'bb', 'ccc'].map(hueOf).every((hue) => hue >= 0 && hue < 6)).toBe(true);
  });
});

describe('formatting', () => {
  it('writes sizes in decimal units for the locale', () => {
    expect(formatBytes(english, 999)).toBe('999 bytes');
    expect(formatBytes(english, 1_500)).toBe('2 kB');
    expect(formatBytes(english, 48_300_000)).toBe('48.3 MB');
    expect(formatBytes(english, 2_000_000_000)).toBe('2 GB');
    expect(formatBytes(german, 48_300_000)).toBe('48,3 MB');
  });

  it('writes ratings with one decimal and percentages whole', () => {
    expect(formatRating(english, 4)).toBe('4.0');
    expect(formatRating(english, 4.25)).toBe('4.3');
    expect(formatRating(german, 4.25)).toBe('4,3');
    expect(formatPercent(english, 0.256)).toBe('26%');
  });

  it('names images on the enrolled server by their hash', () => {
    expect(imageUrl('https://mdm.example.com/', 'ab')).toBe('https://mdm.example.com/api/device/v1/catalog-images/ab');
  });

  it('says a coded failure in the catalog’s words, anything else in its own', () => {
    const i18n = i18nFor(english);
    expect(errorText(i18n, new ServiceError('server_unreachable', 'ECONNREFUSED'))).toBe('The server could not be reached.');
    expect(errorText(i18n, new Error("Error invoking remote method 'agent:get-catalog': ServiceError[not_enrolled]: no"))).toBe('This Mac is not registered.');
    expect(errorText(i18n, new Error('boom'))).toBe('boom');
  });
});

describe('agent events', () => {
  it('replace the cached status, and refetch the catalog after a check-in', () => {
    const client = createQueryClient();
    client.setQueryData(queryKeys.status, makeStatus());
    client.setQueryData(queryKeys.catalog('', ''), { pages: [], pageParams: [] });
    applyStatusEvent(client, makeStatus({ lastCheckinError: 'x' }));
    expect(client.getQueryState(queryKeys.catalog('', ''))?.isInvalidated).toBe(false);
    applyStatusEvent(client, makeStatus({ lastCheckinAt: '2026-11-24T11:00:00.000Z' }));
    expect(client.getQueryData(queryKeys.status)).toMatchObject({ lastCheckinAt: '2026-11-24T11:00:00.000Z' });
    expect(client.getQueryState(queryKeys.catalog('', ''))?.isInvalidated).toBe(true);
    client.clear();
  });

  it('replace the cached installs, and refresh the catalog and details only when an install ends', () => {
    const client = createQueryClient();
    client.setQueryData(queryKeys.app('app-notes'), { id: 'app-notes' });
    applyInstallsEvent(client, [makeInstall({ receivedBytes: 500 })]);
    expect(client.getQueryData(queryKeys.installs)).toEqual([makeInstall({ receivedBytes: 500 })]);
    expect(client.getQueryState(queryKeys.app('app-notes'))?.isInvalidated).toBe(false);
    applyInstallsEvent(client, [makeInstall({ phase: 'installed', endedAt: '2026-11-24T10:02:00.000Z' })]);
    expect(client.getQueryState(queryKeys.app('app-notes'))?.isInvalidated).toBe(true);
    client.clear();
  });
});
