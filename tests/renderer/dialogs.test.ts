// The dialogs rendered open, the start page's states, the install control at work, and the shell's fallbacks.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { createIntl } from 'react-intl';
import { describe, expect, it } from 'vitest';
import type { InstallProgress } from '../../src/shared/agent-service-contract';
import { UninstallDialog } from '../../src/renderer/about/uninstall-dialog';
import { ReviewFormDialog } from '../../src/renderer/app-details/review-form-dialog';
import { ScreenshotViewer, wrapIndex } from '../../src/renderer/app-details/screenshot-viewer';
import { IntlRoot } from '../../src/renderer/i18n/intl-root';
import { i18nFor } from '../../src/renderer/i18n/use-i18n';
import { RegisterPage } from '../../src/renderer/register/register-page';
import { queryKeys } from '../../src/renderer/shell/agent-queries';
import { NoAgentPage } from '../../src/renderer/status/no-agent-page';
import { makeApp, makeAppDetails, makeInstall, makeReview, makeStatus } from '../support/fake-agent-service';
import { attributeOf, renderAt, renderInApp, seedError, tagsWith, textOf } from './render-app';

const noop = () => undefined;
const SHOTS = [1, 2, 3].map((n) => ({ sha256: String(n).repeat(64), thumbnailSha256: String(n).repeat(64), width: 1280, height: 800, caption: n === 2 ? 'Search' : '' }));

describe('ScreenshotViewer', () => {
  it('is a modal dialog named by the position, with the large image and Previous, Next and Close', () => {
    const html = renderInApp(createElement(ScreenshotViewer, { screenshots: SHOTS, serverUrl: 'https://mdm.example.com', index: 1, onIndexChange: noop, onClose: noop, returnFocus: () => null }), '/apps/notes');
    const [dialog = ''] = tagsWith(html, 'dialog', 'class', /viewer/);
    expect([attributeOf(dialog, 'aria-modal'), attributeOf(dialog, 'aria-labelledby')]).toEqual(['true', 'viewer-title']);
    expect(html).toContain('<h2 id="viewer-title" class="viewer-title">2 of 3</h2>');
    const [image = ''] = tagsWith(html, 'img', 'alt', /^Screenshot/);
    expect([attributeOf(image, 'alt'), attributeOf(image, 'src'), attributeOf(image, 'width'), attributeOf(image, 'height')]).toEqual([
      'Screenshot 2 of 3: Search',
      `https://mdm.example.com/api/device/v1/catalog-images/${'2'.repeat(64)}`,
      '1280',
      '800',
    ]);
    expect(textOf(html)).toBe('2 of 3 Close Search Previous screenshot Next screenshot');
  });

  it('pages round: after the last comes the first, before the first the last', () => {
    expect([wrapIndex(3, 3), wrapIndex(-1, 3), wrapIndex(1, 3)]).toEqual([0, 2, 1]);
  });
});

describe('ReviewFormDialog', () => {
  it('writes a new review: stars 1 to 5 as radios, a title and a text, each labelled', () => {
    const html = renderInApp(createElement(ReviewFormDialog, { app: makeAppDetails(), onClose: noop }), '/apps/app-notes');
    expect(html).toContain('<h2 id="review-form-title">Write a review</h2>');
    expect(html).toContain('<legend>Rating</legend>');
    const radios = tagsWith(html, 'input', 'type', /^radio$/);
    expect(radios.map((radio) => attributeOf(radio, 'value'))).toEqual(['1', '2', '3', '4', '5']);
    expect(radios.some((radio) => radio.includes('checked'))).toBe(false);
    expect([...html.matchAll(/<span class="visually-hidden">(\d stars?)<\/span>/g)].map((match) => match[1])).toEqual(['1 star', '2 stars', '3 stars', '4 stars', '5 stars']);
    expect(html).toContain('<label for="review-title">Title</label>');
    expect(html).toContain('<label for="review-text">Review</label>');
    expect(textOf(html)).toContain('Cancel Submit');
  });

  it('edits the user’s review, filled in with it', () => {
    const html = renderInApp(createElement(ReviewFormDialog, { app: makeAppDetails({ myReview: makeReview({ rating: 3, title: 'Fine', text: 'It works.' }) }), onClose: noop }), '/apps/app-notes');
    expect(html).toContain('<h2 id="review-form-title">Edit your review</h2>');
    expect(tagsWith(html, 'input', 'type', /^radio$/).filter((radio) => radio.includes('checked')).map((radio) => attributeOf(radio, 'value'))).toEqual(['3']);
    expect(attributeOf(tagsWith(html, 'input', 'id', /^review-title$/)[0] ?? '', 'value')).toBe('Fine');
    expect(html).toMatch(/<textarea id="review-text"[^>]*>It works\.<\/textarea>/);
  });
});

describe('UninstallDialog', () => {
  it('says what retiring does before anything happens, with Cancel first', () => {
    const html = renderInApp(createElement(UninstallDialog, { serverUrl: 'https://mdm.example.com', onClose: noop, returnFocus: () => null }), '/about');
    const [dialog = ''] = tagsWith(html, 'dialog', 'class', /confirm-dialog/);
    expect([attributeOf(dialog, 'aria-labelledby'), attributeOf(dialog, 'aria-describedby')]).toEqual(['uninstall-title', 'uninstall-text']);
    expect(textOf(html)).toBe(
      'Uninstall Atwork from this Mac? This Mac will be retired: it stops receiving apps and scripts, and the server https://mdm.example.com marks it as retired. Apps already installed stay on the Mac. Cancel Uninstall',
    );
  });
});

describe('the start page', () => {
  it('sends a Mac that is not enrolled to registration, and one that is to Apps@Work', () => {
    // A static render cannot follow the redirect; it renders nothing where the redirect is.
    expect(renderAt('/', { status: makeStatus({ enrolled: false }) })).toBe('');
    expect(renderAt('/')).toBe('');
  });

  it('waits for the status with a spinner, and shows a failure to read it with Retry', () => {
    expect(renderAt('/', { status: null })).toContain('<span>Reading the agent status…</span>');
    const failed = renderAt('/', { status: null, seed: (client) => seedError(client, queryKeys.status, new Error('no agent')) });
    expect(textOf(failed)).toBe('The status of this Mac could not be read. Details: no agent Retry');
  });

  it('About waits for the version, and shows a failure with Retry', () => {
    expect(textOf(renderAt('/about'))).toContain('Loading…');
    const failed = renderAt('/about', { seed: (client) => seedError(client, queryKeys.versionInfo, new Error('down')) });
    expect(textOf(failed)).toContain('About Atwork The details of this Mac could not be loaded. Details: down Retry');
  });
});

describe('the install control while it works', () => {
  const app = makeAppDetails({ id: 'notes', name: 'Team Notes' });
  const withInstall = (install: Partial<InstallProgress>) =>
    renderAt('/apps/notes', {
      seed: (client) => {
        client.setQueryData(queryKeys.app('notes'), app);
        client.setQueryData(queryKeys.installs, [makeInstall({ appId: 'notes', ...install })]);
      },
    });
  const bar = (html: string) => tagsWith(html, 'div', 'role', /^progressbar$/)[0] ?? '';

  it('is full while verifying and installing, and indeterminate while the size is not known yet', () => {
    const verifying = withInstall({ phase: 'verifying' });
    expect(textOf(verifying)).toContain('Verifying…');
    expect(attributeOf(bar(verifying), 'aria-valuenow')).toBe('100');
    expect(attributeOf(bar(withInstall({ phase: 'installing' })), 'aria-valuenow')).toBe('100');
    const unknown = bar(withInstall({ totalBytes: 0 }));
    expect([attributeOf(unknown, 'aria-valuenow'), attributeOf(unknown, 'class')]).toEqual([null, 'progress progress-indeterminate']);
  });

  it('is indeterminate for an install the catalog reports under way before this session saw it', () => {
    const html = renderAt('/apps/notes', { seed: (client) => client.setQueryData(queryKeys.app('notes'), { ...app, installState: 'installing' }) });
    expect(attributeOf(bar(html), 'class')).toBe('progress progress-indeterminate');
  });

  it('says the install failed without a reason when none was given', () => {
    expect(textOf(withInstall({ phase: 'failed', message: null }))).toContain('The install failed. Retry');
  });
});

describe('the shell without its pieces', () => {
  it('takes the system locale when none is given, English without a navigator', () => {
    const html = renderToStaticMarkup(createElement(IntlRoot, { children: createElement(NoAgentPage) }));
    expect(textOf(html)).toContain('This page needs the Atwork app');
  });

  it('refuses to render a page without the AgentApi above it', () => {
    expect(() => renderToStaticMarkup(createElement(RegisterPage))).toThrow(/ApiContext/);
  });

  it('leaves a timestamp that is not a date as it is', () => {
    expect(i18nFor(createIntl({ locale: 'en' })).dateTime('soon')).toBe('soon');
  });

  it('shows placeholders for icons before the server is known', () => {
    const html = renderAt('/apps', {
      status: makeStatus({ serverUrl: null }),
      seed: (client) => client.setQueryData(queryKeys.catalog('', ''), { pages: [{ apps: [makeApp({ icon: { sha256: 'a'.repeat(64), thumbnailSha256: 'a'.repeat(64), width: 64, height: 64 } })], page: { limit: 60, offset: 0, total: 61 }, categories: [] }], pageParams: [0] }),
    });
    expect(html).not.toContain('<img');
    expect(html).toContain('app-icon-placeholder');
    expect(html).toMatch(/<button type="button" class="secondary show-more">Show more<\/button>/);
  });

  it('says a category is empty', () => {
    const html = renderAt('/apps?category=Games', { seed: (client) => client.setQueryData(queryKeys.catalog('', 'Games'), { pages: [{ apps: [], page: { limit: 60, offset: 0, total: 0 }, categories: [] }], pageParams: [0] }) });
    expect(textOf(html)).toContain('No apps in this category.');
  });
});
