// Apps@Work in Chromium, against the built renderer and a fake agent behind the real browser-bridge transport:
// register, browse and search, screenshots by keyboard, reviews, installs with progress, About → Uninstall.
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { WRONG_PIN } from '../support/fake-catalog';
import type { FakeAppsOptions } from '../support/fake-catalog';
import { fakeUiSession } from './fake-ui-session';

const NOT_ENROLLED: FakeAppsOptions['status'] = { enrolled: false, serverUrl: null, deviceId: null, enrolledAt: null, lastCheckinAt: null, nextCheckinAt: null, recentRuns: [] };

const open = fakeUiSession({ installStepMs: 250 });

async function openApp(page: Page, name: string): Promise<void> {
  await page.getByRole('region', { name: 'All Apps' }).getByRole('link', { name, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
}

test('a Mac that is not enrolled registers, with a sentence per failure, and Apps@Work opens at once', async ({ page }) => {
  await open(page, { status: NOT_ENROLLED });
  await expect(page.getByRole('heading', { level: 1, name: 'Welcome to Atwork' })).toBeVisible();

  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByText('Fill in this field.')).toHaveCount(3);
  await expect(page.getByLabel('Server URL')).toBeFocused();

  // The fake's bridge serves the UI and answers as the server.
  await page.getByLabel('Server URL').fill(new URL(page.url()).origin);
  await page.getByLabel('User name').fill('ada');
  await page.getByLabel('PIN', { exact: true }).fill(WRONG_PIN);
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByRole('alert')).toHaveText('The user name or PIN is not right. Check them and try again.');

  await page.getByLabel('PIN', { exact: true }).fill('123456');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Apps@Work' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Featured' }).getByRole('link')).toHaveCount(2);
});

test('browses by category, searches as you type, and shows icons or their placeholders', async ({ page }) => {
  await open(page);
  const all = page.getByRole('region', { name: 'All Apps' });
  await expect(all.getByRole('link')).toHaveCount(8);
  await expect(page.getByText('8 apps')).toBeVisible();

  const icon = all.getByRole('listitem').filter({ hasText: 'Team Notes' }).locator('img');
  await expect(icon).toHaveAttribute('loading', 'lazy');
  await expect.poll(() => icon.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(128);
  await expect(all.getByRole('listitem').filter({ hasText: 'Backup Agent' }).locator('.app-icon-placeholder')).toHaveText('BA');

  await page.getByRole('navigation', { name: 'Sidebar' }).getByRole('link', { name: 'Developer Tools' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Developer Tools' })).toBeVisible();
  const developerTools = page.getByRole('region', { name: 'All Apps' }).getByRole('link');
  await expect(developerTools).toHaveCount(2);
  await expect(developerTools.first()).toHaveAccessibleName('Command Line Tools');
  await expect(developerTools.last()).toHaveAccessibleName('Code Editor');
  await expect(page.getByRole('region', { name: 'Featured' })).toHaveCount(0);

  await page.getByRole('link', { name: 'All Apps' }).first().click();
  const search = page.getByRole('searchbox', { name: 'Search apps' });
  await search.pressSequentially('secure', { delay: 30 });
  const results = page.getByRole('region', { name: 'Results for “secure”' });
  await expect(results.getByRole('link')).toHaveCount(1);
  await expect(results.getByRole('link', { name: 'Secure Connect', exact: true })).toBeVisible();

  await search.fill('no such app');
  await expect(page.getByRole('heading', { name: 'No results' })).toBeVisible();
  await search.fill('');
  await expect(page.getByRole('region', { name: 'All Apps' }).getByRole('link')).toHaveCount(8);
});

test('the app details page, and its screenshots paged with the keyboard only', async ({ page }) => {
  await open(page);
  const tile = page.getByRole('region', { name: 'All Apps' }).getByRole('link', { name: 'Team Notes', exact: true });
  await tile.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Team Notes' })).toBeVisible();
  await expect(page.getByTestId('app-size')).toHaveText('48.3 MB');
  await expect(page.getByText('Version', { exact: true })).toBeVisible();

  const thumbnails = page.getByRole('region', { name: 'Screenshots' }).getByRole('button');
  await expect(thumbnails).toHaveCount(3);
  await thumbnails.first().focus();
  await page.keyboard.press('Enter');
  const viewer = page.getByRole('dialog', { name: '1 of 3' });
  await expect(viewer).toBeVisible();
  await expect(viewer.getByRole('img')).toHaveAttribute('alt', 'Screenshot 1 of 3: The note list and editor');
  for (const [key, shown] of [['ArrowRight', 2], ['ArrowRight', 3], ['ArrowRight', 1], ['ArrowLeft', 3]] as const) {
    await page.keyboard.press(key);
    await expect(page.getByRole('dialog').getByRole('img')).toHaveAttribute('alt', new RegExp(`^Screenshot ${shown} of 3`));
  }
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^Screenshot 3 of 3/ })).toBeFocused();
});

test('reads the rating summary and pages of reviews, then writes and edits a review', async ({ page }) => {
  await open(page);
  await openApp(page, 'Team Notes');
  await expect(page.getByTestId('rating-average')).toHaveText('4.0 out of 5');
  await expect(page.getByText('7 ratings')).toBeVisible();
  const reviews = page.getByRole('region', { name: 'Ratings & Reviews' }).getByRole('article');
  await expect(reviews).toHaveCount(5);
  await page.getByRole('button', { name: 'Show more' }).click();
  await expect(reviews).toHaveCount(7);

  await page.getByRole('button', { name: 'Write a review' }).click();
  const form = page.getByRole('dialog', { name: 'Write a review' });
  await form.getByRole('button', { name: 'Submit' }).click();
  await expect(form.getByText('Choose from 1 to 5 stars.')).toBeVisible();
  await expect(form.getByText('Give your review a title.')).toBeVisible();
  await expect(form.getByText('Write a few words about the app.')).toBeVisible();
  await expect(form.getByRole('radio', { name: '1 star' })).toBeFocused();
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(form.getByRole('radio', { name: '4 stars' })).toBeChecked();
  await form.getByLabel('Title').fill('Keeps the team in sync');
  await form.getByLabel('Review').fill('We moved all our meeting notes here.');
  await form.getByRole('button', { name: 'Submit' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(reviews.first()).toContainText('Keeps the team in sync');
  await expect(reviews.first()).toContainText('Ada Lovelace');
  await expect(page.getByText('8 ratings')).toBeVisible();

  await page.getByRole('button', { name: 'Edit your review' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit your review' });
  await expect(edit.getByLabel('Title')).toHaveValue('Keeps the team in sync');
  await expect(edit.getByRole('radio', { name: '4 stars' })).toBeChecked();
  await edit.getByLabel('Title').fill('Our team’s notebook');
  await edit.getByRole('radio', { name: '4 stars' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(edit.getByRole('radio', { name: '5 stars' })).toBeChecked();
  await edit.getByRole('button', { name: 'Submit' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(reviews.first()).toContainText('Our team’s notebook');
  await expect(page.getByRole('button', { name: 'Edit your review' })).toBeFocused();
  await expect(page.getByText('8 ratings')).toBeVisible();
});

test('installs with a progress bar and shows the outcome; a failure gives its reason and Retry', async ({ page }) => {
  await open(page);
  await openApp(page, 'Team Notes');
  await page.getByRole('button', { name: 'Install' }).click();
  const progress = page.getByRole('progressbar');
  await expect(progress).toBeVisible();
  await expect.poll(async () => Number(await progress.getAttribute('aria-valuenow'))).toBeGreaterThan(0);
  await expect(page.getByText(/MB of 48\.3 MB/)).toBeVisible();
  await expect(page.getByText('Installed', { exact: true })).toBeVisible();
  await expect(page.getByRole('progressbar')).toHaveCount(0);

  await page.getByRole('link', { name: 'All Apps' }).first().click();
  await openApp(page, 'Secure Connect');
  await page.getByRole('button', { name: 'Install' }).click();
  await expect(page.getByRole('alert')).toHaveText('The install failed: The installer needs macOS 15 or later.');
  await page.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByText('Installed', { exact: true })).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
});

test('About shows this Mac, and Uninstall retires it after a confirmation that says what happens', async ({ page }) => {
  const service = await open(page);
  await page.getByRole('link', { name: 'About' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'About Atwork' })).toBeVisible();
  await expect(page.getByTestId('app-version')).toHaveText('Version 0.1.0');
  await expect(page.getByTestId('about-device-id')).toHaveText('dev-1234');
  await expect(page.getByText('Registered since')).toBeVisible();

  const uninstall = page.getByRole('button', { name: 'Uninstall' });
  await uninstall.click();
  const dialog = page.getByRole('dialog', { name: 'Uninstall Atwork from this Mac?' });
  await expect(dialog).toContainText('it stops receiving apps and scripts, and the server');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(uninstall).toBeFocused();
  expect(service.calls.some((call) => call.method === 'retireDevice')).toBe(false);

  await uninstall.click();
  await dialog.getByRole('button', { name: 'Uninstall' }).click();
  await expect(dialog.getByRole('status')).toContainText('This Mac was retired on');
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByText(/^This Mac was retired on/)).toBeFocused();
  await expect(page.getByRole('button', { name: 'Uninstall' })).toHaveCount(0);
});

test('a catalog that cannot be loaded says why, and Retry loads it', async ({ page }) => {
  // The first try and the query's one automatic retry.
  await open(page, {}, (service) => (service.catalogFailures = 2));
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('The apps could not be loaded.');
  await expect(alert).toContainText('Details: The server could not be reached.');
  await alert.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByRole('region', { name: 'All Apps' }).getByRole('link')).toHaveCount(8);
});

test('the status page stays reachable as Activity', async ({ page }) => {
  await open(page);
  await page.getByRole('link', { name: 'Activity' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Atwork' })).toBeVisible();
  await expect(page.getByTestId('device-id')).toHaveText('dev-1234');
  await expect(page.getByTestId('run-row')).toHaveCount(1);
});
