// Every page and dialog of the app, light and dark: no serious or critical axe violations; with ATWORK_SCREENSHOTS=1
// also their screenshots in English and German, saved as docs/screenshots/<view>-<light|dark>-<en|de>.png.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import type { Browser, Page } from '@playwright/test';
import { FakeAppsService, serveFakeAppsUi } from '../support/fake-catalog';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const rendererDir = path.join(repoRoot, 'dist', 'renderer');
const screenshotDir = path.join(repoRoot, 'docs', 'screenshots');
const SCHEMES = ['light', 'dark'] as const;
type Scheme = (typeof SCHEMES)[number];

test.beforeAll(() => {
  if (!existsSync(path.join(rendererDir, 'index.html'))) throw new Error('Build the renderer first: npm run build:renderer (npm run test:e2e does).');
});

/** Waits until the images inside the window have loaded (lazy ones further down are not asked for). */
async function imagesShown(page: Page): Promise<void> {
  await page.waitForFunction(() =>
    [...document.images]
      .filter((img) => {
        const box = img.getBoundingClientRect();
        return box.width > 0 && box.bottom > 0 && box.top < innerHeight;
      })
      .every((img) => img.complete),
  );
}

/**
 * Opens every view of a Mac that registers and then uses the app, and calls `seen` with each view's name. Controls are
 * found by role and structure, not by name, so the same walk serves every language.
 */
async function walkEveryView(browser: Browser, options: { locale: string; scheme: Scheme }, seen: (page: Page, view: string) => Promise<void>): Promise<void> {
  const service = new FakeAppsService({ installStepMs: 1500, status: { enrolled: false, serverUrl: null, deviceId: null, enrolledAt: null, lastCheckinAt: null, nextCheckinAt: null } });
  const ui = await serveFakeAppsUi(service, rendererDir);
  const context = await browser.newContext({ locale: options.locale, colorScheme: options.scheme, viewport: { width: 1100, height: 760 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const view = async (name: string): Promise<void> => {
    // Out of the way, so no tile shows its hover look.
    await page.mouse.move(1099, 759);
    await imagesShown(page);
    await seen(page, name);
  };
  try {
    await page.goto(ui.url);
    await expect(page.locator('form.register')).toBeVisible();
    await view('register');

    await page.locator('#register-serverUrl').fill(ui.origin);
    await page.locator('#register-username').fill('ada');
    await page.locator('#register-pin').fill('123456');
    await page.locator('form.register button[type=submit]').click();
    await expect(page.locator('.featured-card').first()).toBeVisible();
    await view('catalog');

    await page.locator('.tile .tile-link[href="/apps/notes"]').click();
    await expect(page.locator('#app-name')).toBeVisible();
    await expect(page.locator('.review').first()).toBeVisible();
    await view('app-details');

    await page.locator('.gallery-thumbnail').nth(1).click();
    await expect(page.locator('dialog.viewer')).toBeVisible();
    await view('screenshot-viewer');
    await page.keyboard.press('Escape');

    await page.locator('#reviews-heading + button').click();
    await page.locator('dialog.review-dialog button[type=submit]').click();
    await expect(page.locator('dialog.review-dialog .field-error').first()).toBeVisible();
    await view('review-form');
    await page.keyboard.press('Escape');

    await page.locator('.install-control button').click();
    await expect(page.getByRole('progressbar')).toHaveAttribute('aria-valuenow', /^[1-9]/);
    await page.locator('.app-details-header').scrollIntoViewIfNeeded();
    await view('installing');

    await page.locator('a[href="/about"]').click();
    await expect(page.locator('.about-uninstall button')).toBeVisible();
    await view('about');
    await page.locator('.about-uninstall button').click();
    await expect(page.locator('dialog.confirm-dialog')).toBeVisible();
    await view('uninstall-dialog');
    await page.keyboard.press('Escape');

    await page.locator('a[href="/activity"]').click();
    await expect(page.getByTestId('device-id')).toBeVisible();
    await view('activity');
    expect(errors).toEqual([]);
  } finally {
    await context.close();
    await ui.close();
  }
}

for (const scheme of SCHEMES) {
  test(`every page and dialog passes axe in ${scheme} mode (no serious or critical violations)`, async ({ browser }) => {
    const found: string[] = [];
    await walkEveryView(browser, { locale: 'en-US', scheme }, async (page, view) => {
      const { violations } = await new AxeBuilder({ page }).analyze();
      for (const violation of violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')) {
        found.push(`${view}: ${violation.id} (${violation.impact}) at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
      }
    });
    expect(found).toEqual([]);
  });
}

test('screenshots of every page and dialog, light and dark, English and German', async ({ browser }) => {
  test.skip(process.env.ATWORK_SCREENSHOTS !== '1', 'Set ATWORK_SCREENSHOTS=1 to refresh docs/screenshots.');
  test.setTimeout(180_000);
  for (const [locale, language] of [['en-US', 'en'], ['de-DE', 'de']] as const) {
    for (const scheme of SCHEMES) {
      await walkEveryView(browser, { locale, scheme }, async (page, view) => {
        await page.screenshot({ path: path.join(screenshotDir, `${view}-${scheme}-${language}.png`), animations: 'disabled' });
      });
    }
  }
});
