// An app's page rendered over fake data: heading and facts, screenshots, the rating summary, reviews, the review form's
// checks, and every state of the install control.
import { describe, expect, it } from 'vitest';
import type { InstallProgress } from '../../src/shared/agent-service-contract';
import { CATALOG_IMAGE_PATH } from '../../src/shared/catalog-protocol';
import type { AppDetails, Review } from '../../src/shared/catalog-protocol';
import { installPercent, installShown } from '../../src/renderer/app-details/install-control';
import { MAX_TEXT, MAX_TITLE, validateReview } from '../../src/renderer/app-details/review-form-dialog';
import { queryKeys } from '../../src/renderer/shell/agent-queries';
import { makeAppDetails, makeInstall, makeReview } from '../support/fake-agent-service';
import { attributeOf, renderAt, seedError, tagsWith, textOf } from './render-app';

const SHOT = (n: number, caption: string) => ({ sha256: String(n).repeat(64), thumbnailSha256: `${n}`.repeat(63) + 'f', width: 1280, height: 800, caption });

const DETAILS = makeAppDetails({
  id: 'notes',
  name: 'Team Notes',
  publisher: 'Example Ltd',
  version: '2.1.0',
  category: 'Productivity',
  size: 48_300_000,
  screenshots: [SHOT(1, 'The editor'), SHOT(2, ''), SHOT(3, 'Sharing')],
  rating: { average: 4, count: 7, histogram: [0, 1, 1, 2, 3] },
});

interface DetailsOptions {
  reviews?: Review[];
  total?: number;
  installs?: InstallProgress[];
  language?: string;
}

function renderDetails(app: AppDetails = DETAILS, { reviews = [makeReview()], total = reviews.length, installs = [], language = 'en-US' }: DetailsOptions = {}): string {
  return renderAt(`/apps/${app.id}`, {
    language,
    seed: (client) => {
      client.setQueryData(queryKeys.app(app.id), app);
      client.setQueryData(queryKeys.reviews(app.id), { pages: [{ reviews, page: { limit: 5, offset: 0, total } }], pageParams: [0] });
      client.setQueryData(queryKeys.installs, installs);
    },
  });
}

describe('AppDetailsPage', () => {
  it('names the app in the level-1 heading, with publisher, version, category and the size for the locale', () => {
    const html = renderDetails();
    expect(html).toContain('<h1 id="app-name">Team Notes</h1>');
    expect(textOf(html)).toContain('Publisher Example Ltd Version 2.1.0 Category Productivity Size 48.3 MB');
    expect(textOf(renderDetails(DETAILS, { language: 'de-DE' }))).toContain('Größe 48,3 MB');
    expect(textOf(renderDetails({ ...DETAILS, size: null }))).toContain('Size From the App Store');
  });

  it('shows each screenshot as a thumbnail button whose image says "Screenshot N of M", loaded lazily with its size', () => {
    const images = tagsWith(renderDetails(), 'img', 'alt', /^Screenshot/);
    expect(images.map((img) => attributeOf(img, 'alt'))).toEqual(['Screenshot 1 of 3: The editor', 'Screenshot 2 of 3', 'Screenshot 3 of 3: Sharing']);
    expect(attributeOf(images[0] ?? '', 'src')).toBe(`http://127.0.0.1:4000${CATALOG_IMAGE_PATH}/${'1'.repeat(63)}f`);
    expect(images.map((img) => [attributeOf(img, 'width'), attributeOf(img, 'height'), attributeOf(img, 'loading')])).toEqual(Array(3).fill(['240', '150', 'lazy']));
  });

  it('reads the rating summary as "R out of 5" with one decimal, the count, and a bar per star value from 5 to 1', () => {
    const html = renderDetails();
    expect(textOf(/data-testid="rating-average">(.*?)<\/p>/.exec(html)?.[1] ?? '')).toBe('4.0 out of 5');
    expect(textOf(html)).toContain('7 ratings');
    expect([...html.matchAll(/class="visually-hidden">(\d stars?: \d ratings?)</g)].map((match) => match[1])).toEqual(['5 stars: 3 ratings', '4 stars: 2 ratings', '3 stars: 1 rating', '2 stars: 1 rating', '1 star: 0 ratings']);
    expect(textOf(renderDetails({ ...DETAILS, rating: { average: null, count: 0, histogram: [0, 0, 0, 0, 0] } }))).toContain('No ratings yet.');
  });

  it('lists reviews with their stars, author and date, and offers "Show more" while there are more', () => {
    const reviews: Review[] = [makeReview({ id: 'r2', title: 'Newest', rating: 4, author: 'Grace' }), makeReview({ id: 'r1', title: 'Older', updatedAt: '2026-11-25T10:00:00.000Z' })];
    const html = renderDetails(DETAILS, { reviews, total: 12 });
    expect([...html.matchAll(/<h3 id="review-[^"]+">([^<]+)</g)].map((match) => match[1])).toEqual(['Newest', 'Older']);
    expect(textOf(html)).toContain('4 stars out of 5');
    expect(textOf(html)).toContain('Grace, Nov 24, 2026');
    expect(textOf(html)).toContain('Ada, Nov 25, 2026 (edited)');
    expect(textOf(html)).toContain('12 reviews');
    expect(html).toMatch(/<button type="button" class="secondary">Show more<\/button>/);
    expect(renderDetails()).not.toContain('Show more');
  });

  it('offers "Write a review", or "Edit your review" once the user wrote one', () => {
    expect(renderDetails()).toMatch(/<button type="button" class="secondary">Write a review<\/button>/);
    expect(renderDetails({ ...DETAILS, myReview: makeReview() })).toMatch(/<button type="button" class="secondary">Edit your review<\/button>/);
  });

  it('has an Install button, a progress bar in percent while installing, then Installed, or the failure and Retry', () => {
    expect(renderDetails()).toMatch(/<button type="button" class="pill">Install<\/button>/);

    const running = renderDetails(DETAILS, { installs: [makeInstall({ appId: 'notes', receivedBytes: 12_000_000, totalBytes: 48_000_000 })] });
    const [bar = ''] = tagsWith(running, 'div', 'role', /^progressbar$/);
    expect([attributeOf(bar, 'aria-valuenow'), attributeOf(bar, 'aria-valuemin'), attributeOf(bar, 'aria-valuemax'), attributeOf(bar, 'aria-label')]).toEqual(['25', '0', '100', 'Downloading Team Notes']);
    expect(textOf(running)).toContain('Installing… 12 MB of 48 MB (25%)');
    expect(running).not.toMatch(/>Install<\/button>/);

    expect(textOf(renderDetails(DETAILS, { installs: [makeInstall({ appId: 'notes', phase: 'installed' })] }))).toContain('Installed');
    const failed = renderDetails(DETAILS, { installs: [makeInstall({ appId: 'notes', phase: 'failed', message: 'The disk is full.' })] });
    expect(failed).toMatch(/<p role="alert" class="install-failed">The install failed: The disk is full\.<\/p><button type="button" class="pill">Retry<\/button>/);
  });

  it('shows a failure to load the app with Retry', () => {
    const html = renderAt('/apps/notes', { seed: (client) => seedError(client, queryKeys.app('notes'), new Error('gone')) });
    expect(textOf(html)).toContain('The app could not be loaded. Details: gone Retry');
  });
});

describe('installShown', () => {
  it('prefers this session’s install, and falls back to what the catalog last heard', () => {
    expect(installShown(DETAILS, undefined)).toEqual({ state: 'idle' });
    expect(installShown({ ...DETAILS, installState: 'installed' }, undefined)).toEqual({ state: 'installed' });
    expect(installShown({ ...DETAILS, installState: 'failed', installMessage: 'No space.' }, undefined)).toEqual({ state: 'failed', reason: 'No space.' });
    expect(installShown({ ...DETAILS, installState: 'installing' }, undefined)).toEqual({ state: 'running', progress: null });
    const verifying = makeInstall({ phase: 'verifying' });
    expect(installShown({ ...DETAILS, installState: 'failed' }, verifying)).toEqual({ state: 'running', progress: verifying });
  });
});

describe('installPercent', () => {
  it('measures the download by its bytes, counts verifying and installing as full, and is unknown without a size', () => {
    expect(installPercent(makeInstall({ receivedBytes: 1, totalBytes: 3 }))).toBe(33);
    expect(installPercent(makeInstall({ receivedBytes: 5, totalBytes: 3 }))).toBe(100);
    expect(installPercent(makeInstall({ phase: 'installing' }))).toBe(100);
    expect(installPercent(makeInstall({ totalBytes: 0 }))).toBeUndefined();
    expect(installPercent(null)).toBeUndefined();
  });
});

describe('validateReview', () => {
  it('asks for stars, a title and a text, each within its length', () => {
    expect(validateReview({ rating: null, title: ' ', text: '' })).toEqual({ rating: { id: 'reviewForm.ratingRequired' }, title: { id: 'reviewForm.titleRequired' }, text: { id: 'reviewForm.textRequired' } });
    expect(validateReview({ rating: 3, title: 'x'.repeat(MAX_TITLE + 1), text: 'y'.repeat(MAX_TEXT + 1) })).toEqual({
      title: { id: 'reviewForm.titleTooLong', max: MAX_TITLE },
      text: { id: 'reviewForm.textTooLong', max: MAX_TEXT },
    });
    expect(validateReview({ rating: 5, title: 'Good', text: 'Works.' })).toEqual({});
  });
});
