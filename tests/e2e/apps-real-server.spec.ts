// Apps@Work end to end against the real stack (`npm start`'s job: server with the demo catalog, agent, browser bridge):
// register with a wrong PIN and then the right one, browse and search, screenshots by keyboard, a review written and
// edited, an install of a demo package through a test installer (and a failing one with its reason and Retry), and
// About → Uninstall, which the admin API then shows as the device's retirement.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { AdminClient } from '../../src/server/admin-api/admin-api-client';
import { repoRoot, startStack, STARTUP_TIMEOUT_MS, type StartedStack } from './start-stack';

let stack: StartedStack;
let recordDir: string;
let admin: AdminClient;
let page: Page;
const pageErrors: string[] = [];

test.describe.configure({ mode: 'serial' });
test.use({ viewport: { width: 1100, height: 760 }, locale: 'en-US' });

test.beforeAll(async ({ browser }) => {
  test.setTimeout(STARTUP_TIMEOUT_MS + 30_000);
  recordDir = await mkdtemp(path.join(tmpdir(), 'atwork-e2e-installer-'));
  stack = await startStack({
    ATWORK_ENROLL: 'manual',
    ATWORK_TEST_INSTALLER: path.join(repoRoot, 'tests/e2e/fixtures/test-installer.sh'),
    ATWORK_TEST_INSTALLER_RECORD: recordDir,
  });
  admin = new AdminClient(stack.serverUrl, (await readFile(path.join(stack.dataDir, 'admin-token'), 'utf8')).trim());
  page = await browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

test.afterAll(async () => {
  await page?.close();
  await stack?.stop();
  if (recordDir) await rm(recordDir, { recursive: true, force: true });
  expect(pageErrors).toEqual([]);
});

async function newDemoPin(): Promise<string> {
  const { users } = await admin.call<{ users: { id: string; username: string }[] }>('GET', '/users');
  const demo = users.find((user) => user.username === 'demo');
  return (await admin.call<{ pin: string }>('POST', `/users/${demo?.id}/registration-pins`, {})).pin;
}

test('registers this Mac: a wrong PIN is refused in one sentence, the right one opens Apps@Work at once', async () => {
  await page.goto(stack.uiUrl);
  await expect(page.getByRole('heading', { level: 1, name: 'Welcome to Atwork' })).toBeVisible();
  await page.getByLabel('Server URL').fill(stack.serverUrl);
  await page.getByLabel('User name').fill('demo');
  const pin = await newDemoPin();
  await page.getByLabel('PIN', { exact: true }).fill(pin === '00000000' ? '11111111' : '00000000');
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByRole('alert')).toHaveText('The user name or PIN is not right. Check them and try again.');

  await page.getByLabel('PIN', { exact: true }).fill(pin);
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Apps@Work' })).toBeVisible({ timeout: 20_000 });
});

test('browses the demo catalog with icons from the server, and searches as you type', async () => {
  const all = page.getByRole('region', { name: 'All Apps' });
  await expect(all.getByRole('link')).toHaveCount(9);
  await expect(page.getByRole('region', { name: 'Featured' }).getByRole('link').first()).toBeVisible();
  const icon = all.getByRole('listitem').filter({ hasText: 'Vault Keeper' }).locator('img');
  await expect(icon).toHaveAttribute('src', new RegExp(`^${stack.serverUrl}/api/device/v1/catalog-images/[0-9a-f]{64}$`));
  await expect.poll(() => icon.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);

  await page.getByRole('searchbox', { name: 'Search apps' }).fill('vault');
  const results = page.getByRole('region', { name: 'Results for “vault”' });
  await expect(results.getByRole('link')).toHaveCount(1);
  await expect(results.getByRole('link', { name: 'Vault Keeper', exact: true })).toBeVisible();
  await page.getByRole('searchbox', { name: 'Search apps' }).fill('');
  await expect(all.getByRole('link')).toHaveCount(9);
});

test('opens an app, pages through its screenshots with the keyboard only, and reads its ratings', async () => {
  await page.getByRole('region', { name: 'All Apps' }).getByRole('link', { name: 'Atwork Notes', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Atwork Notes' })).toBeVisible();
  const thumbnails = page.getByRole('region', { name: 'Screenshots' }).getByRole('button');
  const count = await thumbnails.count();
  expect(count).toBeGreaterThanOrEqual(2);
  await thumbnails.first().focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog').getByRole('img')).toHaveAttribute('alt', new RegExp(`^Screenshot 1 of ${count}`));
  await page.keyboard.press('ArrowRight');
  await expect(page.getByRole('dialog').getByRole('img')).toHaveAttribute('alt', new RegExp(`^Screenshot 2 of ${count}`));
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.getByText(/^\d\.\d out of 5$/)).toBeVisible();
  await expect(page.getByRole('region', { name: 'Ratings & Reviews' }).getByRole('article').first()).toBeVisible();
});

test('writes a review and edits it in place: one review, its new title', async () => {
  await page.getByRole('button', { name: 'Write a review' }).click();
  const form = page.getByRole('dialog', { name: 'Write a review' });
  await form.getByRole('radio', { name: '1 star' }).focus();
  await page.keyboard.press('Space');
  for (let star = 2; star <= 4; star++) await page.keyboard.press('ArrowRight');
  await expect(form.getByRole('radio', { name: '4 stars' })).toBeChecked();
  await form.getByLabel('Title').fill('Notes that sync');
  await form.getByLabel('Review').fill('Our team keeps its meeting notes here.');
  await form.getByRole('button', { name: 'Submit' }).click();
  await expect(form).toHaveCount(0);
  const reviews = page.getByRole('region', { name: 'Ratings & Reviews' });
  await expect(reviews.getByRole('article').filter({ hasText: 'Notes that sync' })).toHaveCount(1);

  await page.getByRole('button', { name: 'Edit your review' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit your review' });
  await edit.getByLabel('Title').fill('Notes that always sync');
  await edit.getByRole('button', { name: 'Submit' }).click();
  await expect(reviews.getByRole('article').filter({ hasText: 'Notes that always sync' })).toHaveCount(1);
  await expect(reviews.getByRole('article').filter({ hasText: /^Notes that sync/ })).toHaveCount(0);
});

test('installs the demo package through the installer and shows it installed; the installer got the signed bytes', async () => {
  await page.getByRole('button', { name: 'Install' }).click();
  await expect(page.getByText('Installed', { exact: true })).toBeVisible({ timeout: 30_000 });
  const installed = (await readFile(path.join(recordDir, 'installed'), 'utf8')).trim().split('\n');
  expect(installed).toHaveLength(1);
  const { apps } = await admin.call<{ apps: { id: string; name: string }[] }>('GET', '/apps?limit=100');
  const notes = await admin.call<{ package: { sha256: string } | null }>('GET', `/apps/${apps.find((app) => app.name === 'Atwork Notes')?.id}`);
  expect(installed[0]?.split(/\s+/)[0]).toBe(notes.package?.sha256);
});

test('a failing installer shows its reason and Retry, and Retry installs', async () => {
  await writeFile(path.join(recordDir, 'fail-next'), '');
  await page.getByRole('link', { name: 'All Apps' }).first().click();
  await page.getByRole('region', { name: 'All Apps' }).getByRole('link', { name: 'Disk Tidy', exact: true }).click();
  await page.getByRole('button', { name: 'Install' }).click();
  await expect(page.getByText(/the disk is full/)).toBeVisible({ timeout: 30_000 });
  await rm(path.join(recordDir, 'fail-next'));
  await page.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByText('Installed', { exact: true })).toBeVisible({ timeout: 30_000 });
});

test('About → Uninstall → confirm retires the device, as the admin API shows', async ({ request }) => {
  const ui = new URL(stack.uiUrl);
  const bridgeToken = new URLSearchParams(ui.hash.slice(1)).get('token');
  const status = await (await request.get(`${ui.origin}/bridge/status`, { headers: { Authorization: `Bearer ${bridgeToken}` } })).json();
  expect(status.deviceId).toEqual(expect.any(String));
  expect((await admin.call<{ status: string }>('GET', `/devices/${status.deviceId}`)).status).toBe('active');

  await page.getByRole('link', { name: 'About' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'About Atwork' })).toBeVisible();
  await expect(page.getByText(status.deviceId, { exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Uninstall' }).click();
  const dialog = page.getByRole('dialog', { name: 'Uninstall Atwork from this Mac?' });
  await dialog.getByRole('button', { name: 'Uninstall' }).click();
  await expect(dialog.getByRole('status')).toContainText('This Mac was retired on');
  expect((await admin.call<{ status: string }>('GET', `/devices/${status.deviceId}`)).status).toBe('retired');
});
