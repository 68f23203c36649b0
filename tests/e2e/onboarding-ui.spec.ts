// The kiosk onboarding in Chromium, against the built renderer and a fake agent behind the real browser-bridge
// transport: it takes the window over, its steps and progress, Retry of a failed step, and Continue back to Apps@Work.
import { expect, test } from '@playwright/test';
import { fakeOnboarding } from '../support/fake-catalog';
import { fakeUiSession } from './fake-ui-session';

const open = fakeUiSession();

test('an onboarding at the start shows its steps and progress, with no way into the app', async ({ page }) => {
  const service = await open(page, {}, (fake) => fake.startOnboarding());
  await expect(page.getByRole('heading', { level: 1, name: 'Setting up your Mac' })).toBeVisible();
  const steps = page.getByRole('list', { name: 'Onboarding steps' }).getByRole('listitem');
  await expect(steps).toHaveText(['Configurations — Done', 'Microsoft Office — Installing…', 'Slack — Waiting']);
  const progress = page.getByRole('progressbar', { name: 'Setup progress' });
  await expect(progress).toHaveAttribute('aria-valuenow', '33');
  await expect(page.getByText('About 1 minute left')).toBeVisible();
  await expect(page.getByText('Xcode will keep installing after setup.')).toBeVisible();
  await expect(page.getByRole('navigation')).toHaveCount(0);
  await expect(page.getByRole('link')).toHaveCount(0);

  service.advanceOnboarding();
  await expect(steps).toHaveText(['Configurations — Done', 'Microsoft Office — Done', 'Slack — Installing…']);
  await expect(progress).toHaveAttribute('aria-valuenow', '67');
  await expect(page.getByRole('status').filter({ hasText: 'Installing Slack…' })).toBeVisible();
});

test('a failed step is retried, and Continue gives Apps@Work back', async ({ page }) => {
  const service = await open(page);
  await expect(page.getByRole('heading', { level: 1, name: 'Apps@Work' })).toBeVisible();

  service.startOnboarding(fakeOnboarding('summary'));
  await expect(page.getByRole('heading', { level: 1, name: 'Setup finished with problems' })).toBeVisible();
  const summary = page.getByRole('list', { name: 'Setup summary' }).getByRole('listitem');
  await expect(summary.last()).toHaveText('Slack — Failed: The installer needs macOS 15 or later.');
  await expect(page.getByText('https://intranet.example.com/welcome')).toBeVisible();

  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Retry failed steps' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Setting up your Mac' })).toBeFocused();
  const steps = page.getByRole('list', { name: 'Onboarding steps' }).getByRole('listitem');
  await expect(steps.last()).toHaveText(/^Slack — (Waiting|Installing…) \(attempt 2\)$/);
  expect(service.calls.filter((call) => call.method === 'retryOnboarding')).toHaveLength(1);

  service.advanceOnboarding();
  await expect(steps.last()).toHaveText('Slack — Installing… (attempt 2)');
  service.advanceOnboarding();
  await expect(page.getByRole('heading', { level: 1, name: 'Your Mac is ready' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Retry failed steps' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Apps@Work' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Sidebar' })).toBeVisible();
  expect(service.calls.filter((call) => call.method === 'finishOnboarding')).toHaveLength(1);
});

test('a refused retry says so in a sentence, and the summary stays', async ({ page }) => {
  const service = await open(page, {}, (fake) => fake.startOnboarding(fakeOnboarding('summary')));
  const retry = page.getByRole('button', { name: 'Retry failed steps' });
  await expect(retry).toBeVisible();
  service.onboarding = { ...fakeOnboarding('summary'), steps: fakeOnboarding('landing-page').steps };
  await retry.click();
  await expect(page.getByRole('alert')).toHaveText('The failed steps could not be tried again: The request was not valid.');
  await expect(page.getByRole('heading', { level: 1, name: 'Setup finished with problems' })).toBeVisible();
});
