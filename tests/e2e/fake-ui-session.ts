// The specs that drive the built renderer against a fake agent behind the real browser-bridge transport share this:
// one fake per test, served on loopback, closed after it, and the test failed by any error the page reported.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { FakeAppsService, serveFakeAppsUi } from '../support/fake-catalog';
import type { FakeAppsOptions, FakeAppsUi } from '../support/fake-catalog';

const rendererDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'renderer');

export type OpenFakeUi = (page: Page, options?: FakeAppsOptions, prepare?: (service: FakeAppsService) => void) => Promise<FakeAppsService>;

/** Call at a spec's top level: registers its hooks and returns `open`, which starts a fake (with `defaults`) and opens the UI on it. */
export function fakeUiSession(defaults: FakeAppsOptions = {}): OpenFakeUi {
  let ui: FakeAppsUi | null = null;
  let pageErrors: string[] = [];

  test.use({ viewport: { width: 1100, height: 760 }, locale: 'en-US' });

  test.beforeAll(() => {
    if (!existsSync(path.join(rendererDir, 'index.html'))) throw new Error('Build the renderer first: npm run build:renderer (npm run test:e2e does).');
  });

  test.afterEach(async () => {
    await ui?.close();
    ui = null;
    expect(pageErrors).toEqual([]);
  });

  return async (page, options = {}, prepare = () => undefined) => {
    const service = new FakeAppsService({ ...defaults, ...options });
    prepare(service);
    ui = await serveFakeAppsUi(service, rendererDir);
    pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(ui.url);
    return service;
  };
}
