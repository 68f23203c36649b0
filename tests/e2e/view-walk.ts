// The walk through every page and dialog of the app, shared by the axe checks (tests/e2e/apps-views.spec.ts, against
// the fake catalog) and `npm run screenshots` (scripts/take-screenshots.ts, against the real server with the demo
// seed). Controls are found by role and structure, not by name, so the same walk serves every language; it waits with
// locators only (no test runner's expect), so it runs under playwright-core too.
import type { Page } from 'playwright-core';

export const VIEWS = ['register', 'catalog', 'app-details', 'screenshot-viewer', 'review-form', 'installing', 'about', 'uninstall-dialog', 'activity'] as const;
export type View = (typeof VIEWS)[number];

export interface WalkTarget {
  /** The page that opens the UI of a Mac not yet registered. */
  uiUrl: string;
  registration: { serverUrl: string; username: string; pin: string };
  /** An app with screenshots, reviews and something to install, opened by its tile. */
  appName: string;
}

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

/** Registers the Mac and opens every view in VIEWS order, calling `seen` with each; throws on any page error. */
export async function walkEveryView(page: Page, target: WalkTarget, seen: (view: View) => Promise<void>): Promise<void> {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const view = async (name: View): Promise<void> => {
    // Out of the way, so no tile shows its hover look.
    const { width, height } = page.viewportSize()!;
    await page.mouse.move(width - 1, height - 1);
    await imagesShown(page);
    await seen(name);
  };
  await page.goto(target.uiUrl);
  await page.locator('form.register').waitFor();
  await view('register');

  await page.locator('#register-serverUrl').fill(target.registration.serverUrl);
  await page.locator('#register-username').fill(target.registration.username);
  await page.locator('#register-pin').fill(target.registration.pin);
  await page.locator('form.register button[type=submit]').click();
  await page.locator('.featured-card').first().waitFor();
  await view('catalog');

  await page.locator('.tile').getByRole('link', { name: target.appName, exact: true }).click();
  await page.locator('#app-name').waitFor();
  await page.locator('.review').first().waitFor();
  await view('app-details');

  await page.locator('.gallery-thumbnail').nth(1).click();
  await page.locator('dialog.viewer').waitFor();
  await view('screenshot-viewer');
  await page.keyboard.press('Escape');

  await page.locator('#reviews-heading + button').click();
  await page.locator('dialog.review-dialog button[type=submit]').click();
  await page.locator('dialog.review-dialog .field-error').first().waitFor();
  await view('review-form');
  await page.keyboard.press('Escape');

  await page.locator('.install-control button').click();
  await page.locator('[role=progressbar][aria-valuenow]').waitFor();
  await page.waitForFunction(() => Number(document.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow')) >= 1);
  await page.locator('.app-details-header').scrollIntoViewIfNeeded();
  await view('installing');

  await page.locator('a[href="/about"]').click();
  await page.locator('.about-uninstall button').waitFor();
  await view('about');
  await page.locator('.about-uninstall button').click();
  await page.locator('dialog.confirm-dialog').waitFor();
  await view('uninstall-dialog');
  await page.keyboard.press('Escape');

  await page.locator('a[href="/activity"]').click();
  await page.getByTestId('device-id').waitFor();
  await view('activity');
  if (errors.length > 0) throw new Error(`the page reported errors: ${errors.join('; ')}`);
}

/** The kiosk onboarding's screens, walked against a fake service that can show each (walkOnboardingViews). */
export const ONBOARDING_VIEWS = ['onboarding-running', 'onboarding-offline', 'onboarding-summary', 'onboarding-landing-page', 'onboarding-timed-out'] as const;
export type OnboardingViewName = (typeof ONBOARDING_VIEWS)[number];

/** What shows that each onboarding screen has arrived, by structure, not by words. */
const ONBOARDING_SHOWN: Record<OnboardingViewName, string> = {
  'onboarding-running': 'main.onboarding [role=progressbar]',
  'onboarding-offline': 'main.onboarding .onboarding-offline',
  'onboarding-summary': 'main.onboarding .onboarding-actions button.secondary',
  'onboarding-landing-page': 'main.onboarding .onboarding-url',
  'onboarding-timed-out': 'main.onboarding .step-pending, main.onboarding .step-running',
};

/**
 * Opens each onboarding screen in ONBOARDING_VIEWS order in the open app: `show` makes the agent report it (its
 * event takes the window over), then `seen` is called with it; throws on any page error.
 */
export async function walkOnboardingViews(page: Page, show: (view: OnboardingViewName) => Promise<void>, seen: (view: OnboardingViewName) => Promise<void>): Promise<void> {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  for (const view of ONBOARDING_VIEWS) {
    await show(view);
    await page.locator(ONBOARDING_SHOWN[view]).first().waitFor();
    if (view === 'onboarding-timed-out') await page.locator('main.onboarding .onboarding-actions').waitFor();
    await seen(view);
  }
  if (errors.length > 0) throw new Error(`the page reported errors: ${errors.join('; ')}`);
}
