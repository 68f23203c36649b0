// The walking skeleton end to end: `npm start`'s job in a temp folder, and its status page in Chromium showing the demo run.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const STARTUP_TIMEOUT_MS = 90_000;

interface Started {
  serverUrl: string;
  deviceId: string;
  uiUrl: string;
}

let child: ChildProcess | null = null;
let dataDir = '';
let started: Started;

/** Resolves with the three lines `npm start` prints, or rejects with its output if it exits or takes too long. */
function waitForStartLines(process: ChildProcess): Promise<Started> {
  return new Promise((resolve, reject) => {
    let output = '';
    const fail = (why: string): void => {
      clearTimeout(timer);
      reject(new Error(`${why}\n--- output ---\n${output}`));
    };
    const timer = setTimeout(() => fail(`npm start printed no UI URL within ${STARTUP_TIMEOUT_MS / 1000} s.`), STARTUP_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const serverUrl = /^Atwork server {3}(http:\/\/127\.0\.0\.1:\d+)\s*$/m.exec(output)?.[1];
      const deviceId = /^Atwork device {3}(\S+)\s*$/m.exec(output)?.[1];
      const uiUrl = /^Atwork UI {7}(http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]+)\s*$/m.exec(output)?.[1];
      if (serverUrl && deviceId && uiUrl) {
        clearTimeout(timer);
        resolve({ serverUrl, deviceId, uiUrl });
      }
    };
    process.stdout?.on('data', onData);
    process.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    process.once('exit', (code, signal) => fail(`npm start exited early (code ${code}, signal ${signal}).`));
    process.once('error', (error) => fail(`npm start could not be spawned: ${error.message}`));
  });
}

async function stopChild(process: ChildProcess): Promise<void> {
  if (process.exitCode !== null || process.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => process.once('exit', () => resolve()));
  process.kill('SIGTERM');
  const forced = setTimeout(() => process.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(forced);
}

test.use({ viewport: { width: 800, height: 600 } });

test.beforeAll(async () => {
  test.setTimeout(STARTUP_TIMEOUT_MS + 30_000);
  dataDir = await mkdtemp(path.join(tmpdir(), 'atwork-e2e-'));
  child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: repoRoot,
    env: { ...process.env, ATWORK_DATA_DIR: dataDir, ATWORK_NO_OPEN: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started = await waitForStartLines(child);
});

test.afterAll(async () => {
  if (child) await stopChild(child);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

test('the status page shows the enrolled device and the demo script run', async ({ page }, testInfo) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));

  await page.goto(started.uiUrl);
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
  expect(again.status()).toBe(500);
  expect((await again.json()).error).toContain('already enrolled');
});
