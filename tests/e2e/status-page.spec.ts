// The walking skeleton end to end: `npm start`'s job in a temp folder, and its status page in Chromium showing the demo run.
import { expect, test } from '@playwright/test';
import { startStack, STARTUP_TIMEOUT_MS, type StartedStack } from './start-stack';

let started: StartedStack;

test.use({ viewport: { width: 800, height: 600 } });

test.beforeAll(async () => {
  test.setTimeout(STARTUP_TIMEOUT_MS + 30_000);
  started = await startStack();
});

test.afterAll(async () => {
  await started?.stop();
});

test('the status page shows the enrolled device and the demo script run', async ({ page }, testInfo) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));

  await page.goto(started.uiUrl);
  // An enrolled Mac opens on Apps@Work (issue 11); the status page is its Activity.
  await page.getByRole('link', { name: 'Activity' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Atwork' })).toBeVisible();
  await expect(page.getByTestId('device-id')).toHaveText(started.deviceId);
  await expect(page.getByTestId('enrolled')).toHaveText('Enrolled');

  const helloRun = page.getByTestId('run-row').filter({ has: page.getByTestId('run-stdout').filter({ hasText: 'Hello from Atwork' }) });
  await expect(helloRun).toHaveCount(1, { timeout: 45_000 });
  await expect(helloRun.getByTestId('run-exit-code')).toHaveText('0');
  await expect(helloRun.getByRole('rowheader')).toHaveText('hello');
  await expect(page.getByTestId('last-checkin').locator('time')).toHaveAttribute('datetime', /^\d{4}-\d\d-\d\dT/);

  const checkIn = page.getByRole('button', { name: 'Check in now' });
  await checkIn.click();
  await expect(checkIn).toBeEnabled();
  await expect(page.getByRole('alert')).toHaveCount(0);

  const screenshot = testInfo.outputPath('status-page.png');
  await page.screenshot({ path: screenshot, fullPage: true });
  await testInfo.attach('status-page', { path: screenshot, contentType: 'image/png' });
  expect(pageErrors).toEqual([]);
});

test('the UI API refuses a page that lacks the token', async ({ request }) => {
  const origin = new URL(started.uiUrl).origin;
  expect((await request.get(`${origin}/bridge/status`)).status()).toBe(401);
  expect((await request.get(`${origin}/`)).status()).toBe(200);
});

test('the real agent answers getVersionInfo over the bridge only with the token, and refuses a second enrollment', async ({ request }) => {
  const url = new URL(started.uiUrl);
  const authorization = { Authorization: `Bearer ${new URLSearchParams(url.hash.slice(1)).get('token')}` };
  const version = await request.get(`${url.origin}/bridge/version-info`, { headers: authorization });
  expect(version.status()).toBe(200);
  expect(await version.json()).toMatchObject({ agentVersion: expect.stringMatching(/^\d+\.\d+\.\d+/), platform: process.platform, nodeVersion: expect.any(String) });
  expect((await request.get(`${url.origin}/bridge/version-info`)).status()).toBe(401);
  // Already enrolled by `npm start`: the agent refuses a second enrollment rather than replace its identity.
  const again = await request.post(`${url.origin}/bridge/enroll`, { headers: authorization, data: [{ serverUrl: started.serverUrl, username: 'ada', pin: '123456' }] });
  expect(again.status()).toBe(409);
  expect((await again.json()).error).toMatchObject({ code: 'already_enrolled', message: expect.stringContaining('already enrolled') });
});
