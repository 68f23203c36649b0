// The demo seed's Apps@Work catalog: apps across categories with generated icons and screenshots, a pkg app with a package, and reviews, seeded fast and once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '../../src/server/admin-api/admin-api-client';
import { CATALOG_IMAGE_PATH } from '../../src/shared/catalog-protocol';
import { seedDemo } from '../../scripts/demo-seed';
import { TestServer } from './server-fixture';

interface AppView {
  id: string;
  name: string;
  category: string;
  type: string;
  icon: { sha256: string } | null;
  screenshots: { caption: string }[];
  package: { size: number } | null;
}

describe('the demo seed', () => {
  let t: TestServer;
  let url: string;
  beforeAll(async () => {
    t = await TestServer.start();
    url = await t.server.listen();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('seeds eight or more apps in six categories, each with an icon and 2 to 4 screenshots, a pkg app with a package, and reviews, in under 10 s', async () => {
    const started = Date.now();
    await seedDemo(new AdminClient(url, t.adminToken));
    expect(Date.now() - started).toBeLessThan(10_000);

    const { apps } = await t.adminOk<{ apps: AppView[] }>('GET', '/apps');
    expect(apps.length).toBeGreaterThanOrEqual(8);
    expect(new Set(apps.map((a) => a.category))).toEqual(new Set(['Productivity', 'Developer Tools', 'Design', 'Communication', 'Security', 'Utilities']));
    for (const app of apps) {
      expect(app.icon, app.name).not.toBeNull();
      expect(app.screenshots.length, app.name).toBeGreaterThanOrEqual(2);
      expect(app.screenshots.length, app.name).toBeLessThanOrEqual(4);
    }
    expect(apps.filter((a) => a.type === 'pkg' && a.package !== null).length).toBeGreaterThanOrEqual(1);
    const icon = await fetch(`${url}${CATALOG_IMAGE_PATH}/${apps[0]!.icon!.sha256}`);
    expect(icon.headers.get('content-type')).toBe('image/png');

    const reviewed = await Promise.all(apps.map((a) => t.adminOk<{ page: { total: number } }>('GET', `/apps/${a.id}/reviews`)));
    expect(reviewed.reduce((n, r) => n + r.page.total, 0)).toBeGreaterThanOrEqual(5);

    await seedDemo(new AdminClient(url, t.adminToken));
    expect((await t.adminOk<{ apps: AppView[] }>('GET', '/apps')).apps).toHaveLength(apps.length);
  }, 30_000);
});
