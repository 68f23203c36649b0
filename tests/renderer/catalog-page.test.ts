// Apps@Work rendered over fake catalog data: the searchbox, Featured, tiles, images or placeholders, and the empty,
// error and loading states.
import { describe, expect, it } from 'vitest';
import { CATALOG_IMAGE_PATH } from '../../src/shared/catalog-protocol';
import type { AppSummary, CatalogPage } from '../../src/shared/catalog-protocol';
import { queryKeys } from '../../src/renderer/shell/agent-queries';
import { makeApp } from '../support/fake-agent-service';
import { attributeOf, renderAt, seedCatalog, seedError, tagsWith, textOf } from './render-app';

const ICON = { sha256: 'a'.repeat(64), thumbnailSha256: 'b'.repeat(64), width: 512, height: 512 };

function page(apps: AppSummary[], categories = ['Productivity', 'Utilities']): CatalogPage {
  return { apps, page: { limit: 60, offset: 0, total: apps.length }, categories };
}

const APPS = [
  makeApp({ id: 'notes', name: 'Team Notes', featured: true, icon: ICON, rating: { average: 4.25, count: 12 } }),
  makeApp({ id: 'vpn', name: 'Secure Connect', category: 'Utilities', rating: { average: null, count: 0 }, installState: 'installed' }),
];

describe('CatalogPage', () => {
  it('has a searchbox named "Search apps", a Featured row and a tile per app, each a link named by the app', () => {
    const html = renderAt('/apps', { seed: (client) => seedCatalog(client, page(APPS)) });
    expect(html).toMatch(/<h1>Apps@Work<\/h1>/);
    expect(html).toMatch(/<input type="search"[^>]*aria-label="Search apps"/);
    expect(html).toMatch(/<section aria-labelledby="featured-heading"[^>]*><div class="section-heading"><h2 id="featured-heading">Featured<\/h2>/);
    expect(textOf(html)).toContain('All Apps 2 apps');
    const tiles = tagsWith(html, 'a', 'href', /^\/apps\/\w+$/);
    expect(tiles.map((tile) => attributeOf(tile, 'href'))).toEqual(['/apps/notes', '/apps/notes', '/apps/vpn']);
    const names = tiles.map((tile) => new RegExp(`id="${attributeOf(tile, 'aria-labelledby')}" class="tile-name">([^<]*)<`).exec(html)?.[1]);
    expect(names).toEqual(['Team Notes', 'Team Notes', 'Secure Connect']);
    expect(textOf(html)).toContain('4.3 out of 5, 12 ratings');
    expect(textOf(html)).toContain('No ratings');
    expect(textOf(html)).toContain('Installed');
  });

  it('loads thumbnails lazily from the enrolled server with their size, and shows initials for an app without an icon', () => {
    const html = renderAt('/apps', { seed: (client) => seedCatalog(client, page(APPS)) });
    const [featured, image = ''] = tagsWith(html, 'img', 'class', /^app-icon$/);
    expect(attributeOf(featured ?? '', 'width')).toBe('80');
    expect(image).toContain(`src="http://127.0.0.1:4000${CATALOG_IMAGE_PATH}/${'b'.repeat(64)}"`);
    expect(image).toContain('alt=""');
    expect(image).toContain('width="56"');
    expect(image).toContain('height="56"');
    expect(image).toContain('loading="lazy"');
    expect(html).toMatch(/<span class="app-icon app-icon-placeholder hue-\d"[^>]*aria-hidden="true">SC<\/span>/);
  });

  it('lists the categories in the sidebar beside All Apps, Activity and About', () => {
    const html = renderAt('/apps', { seed: (client) => seedCatalog(client, page(APPS)) });
    expect(html).toContain('<nav class="sidebar" aria-label="Sidebar">');
    expect(tagsWith(html, 'a', 'href', /^\/apps$/).map((link) => attributeOf(link, 'aria-current'))).toEqual(['page']);
    const links = tagsWith(html, 'a', 'class', /^sidebar-link$/).map((link) => attributeOf(link, 'href'));
    expect(links).toEqual(['/apps', '/apps?category=Productivity', '/apps?category=Utilities', '/activity', '/about']);
    expect(textOf(html)).toContain('Apps@Work All Apps Categories Productivity Utilities This Mac Activity About');
  });

  it('shows a category under its name, without the Featured row', () => {
    const html = renderAt('/apps?category=Utilities', {
      seed: (client) => {
        seedCatalog(client, page(APPS));
        seedCatalog(client, page([APPS[1] as AppSummary]), '', 'Utilities');
      },
    });
    expect(html).toContain('<h1>Utilities</h1>');
    expect(html).not.toContain('featured-heading');
    expect(tagsWith(html, 'a', 'aria-current', /^page$/).map((link) => attributeOf(link, 'href'))).toEqual(['/apps?category=Utilities']);
  });

  it('says so when no app is distributed to this Mac', () => {
    const html = renderAt('/apps', { seed: (client) => seedCatalog(client, page([], [])) });
    expect(textOf(html)).toContain('No apps yet Your organization has not made any apps available to this Mac.');
  });

  it('shows a failure with its reason and Retry, and a spinner while loading', () => {
    const failed = renderAt('/apps', { seed: (client) => seedError(client, queryKeys.catalog('', ''), new Error('connection refused')) });
    expect(failed).toMatch(/<div role="alert" class="error-state">/);
    expect(textOf(failed)).toContain('The apps could not be loaded. Details: connection refused Retry');
    const loading = renderAt('/apps');
    expect(loading).toMatch(/<div role="status" class="loading-state"><span class="spinner" aria-hidden="true"><\/span><span>Loading apps…<\/span>/);
  });

  it('speaks German on a German system', () => {
    const html = renderAt('/apps', { language: 'de-DE', seed: (client) => seedCatalog(client, page(APPS)) });
    expect(html).toContain('aria-label="Apps suchen"');
    expect(textOf(html)).toContain('Empfohlen');
    expect(textOf(html)).toContain('Alle Apps 2 Apps');
    expect(textOf(html)).toContain('4,3 von 5, 12 Bewertungen');
  });
});
