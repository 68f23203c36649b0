// Kiosk onboarding (issue 12) end to end in Chromium: the real server in this process, each Mac's agent and browser
// bridge in a child process (onboarding-agent-host.ts) with the installer of fixtures/onboarding-installer.sh. An
// automated enrollment walks to the landing page; a failed step shows in the summary and succeeds on Retry; the timeout
// ends the kiosk while the rest installs in the background; a crashed agent resumes; an enrollment 21 minutes old and a
// PIN enrollment get no kiosk. axe-core looks at every onboarding screen.
import AxeBuilder from '@axe-core/playwright';
import { existsSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { waitFor } from '../support/wait-for';
import {
  checkInNow,
  deviceIdOf,
  holdInstall,
  installerRecord,
  onboardingEvents,
  releaseInstall,
  setUpMac,
  startAgentHost,
  startOnboardingServer,
  stopAllHosts,
  uploadPackage,
  writeEnrollmentFile,
  type AgentHost,
  type OnboardingEvent,
  type OnboardingServer,
  type OnboardingSettings,
} from './onboarding-stack';

const LANDING_PAGE = 'https://intranet.example.com/welcome';
const onboarding = (changes: Partial<OnboardingSettings> = {}): OnboardingSettings => ({ enabled: true, timeoutSeconds: 120, landingPageUrl: LANDING_PAGE, startWindowMinutes: 20, ...changes });

let server: OnboardingServer;
let pageErrors: string[] = [];

test.use({ viewport: { width: 1100, height: 760 }, locale: 'en-US' });

test.beforeAll(async () => {
  server = await startOnboardingServer();
});

test.afterAll(async () => {
  await stopAllHosts();
  await server?.close();
});

test.beforeEach(({ page }) => {
  pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
});

test.afterEach(async () => {
  // Every case's Mac stops with it: the next case (and the moved server clock) meets no agent of an earlier one.
  await stopAllHosts();
  expect(pageErrors).toEqual([]);
});

/** No serious or critical axe violation on the screen shown now. */
async function expectAccessible(page: Page, screen: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${screen}: ${v.id} (${v.impact}) at ${v.nodes.map((node) => node.target.join(' ')).join(', ')}`)).toEqual([]);
}

const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name });
const runningSteps = (page: Page) => page.getByRole('list', { name: 'Onboarding steps' }).getByRole('listitem');
const summarySteps = (page: Page) => page.getByRole('list', { name: 'Setup summary' }).getByRole('listitem');

/** The device log's onboarding events once `done` holds for them; the check-in sends what the agent logged since the last. */
async function eventsWhen(deviceId: string, host: AgentHost, done: (events: OnboardingEvent[]) => boolean): Promise<OnboardingEvent[]> {
  return waitFor('the onboarding events in the device log', async () => {
    await checkInNow(host);
    const events = await onboardingEvents(server, deviceId);
    return done(events) ? events : undefined;
  }, { intervalMs: 250 });
}

const stepEvents = (events: OnboardingEvent[]) => events.filter((event) => event.type === 'onboarding.step').map((event) => `${String(event.data.name ?? event.data.step)} ${String(event.data.status)}`);

test('an automated enrollment walks through the configurations and two apps to the landing page, the Packager app in the background', async ({ page }) => {
  const mac = await setUpMac(server, 'ade', onboarding(), [
    { name: 'Atlas Mail', type: 'pkg', priority: 'high' },
    { name: 'Beacon Chat', type: 'pkg', priority: 'high' },
    { name: 'Compass Studio', type: 'packager', priority: 'high' },
    { name: 'Delta Games', type: 'pkg', priority: 'normal' },
  ]);
  await writeEnrollmentFile(server, mac);
  // Atlas Mail's installer waits, so the running screen can be looked at; Beacon Chat waits behind it.
  await holdInstall(mac, 'Atlas Mail');
  const host = await startAgentHost(mac, { enrollmentFile: true });
  await page.goto(host.uiUrl);

  await expect(heading(page, 'Setting up your Mac')).toBeVisible({ timeout: 20_000 });
  const steps = runningSteps(page);
  await expect(steps).toHaveCount(3);
  await expect(steps.nth(0)).toHaveText('Configurations — Done');
  await expect(steps.nth(1)).toContainText('Atlas Mail — ');
  await expect(steps.nth(2)).toHaveText('Beacon Chat — Installing…');
  await expect(page.getByRole('status').filter({ hasText: /^Installing (Atlas Mail|Beacon Chat)…$/ })).toBeVisible();
  // The bar agrees with the list: a step that is done is a third of it.
  const done = (await steps.allTextContents()).filter((text) => text.endsWith('— Done')).length;
  await expect(page.getByRole('progressbar', { name: 'Setup progress' })).toHaveAttribute('aria-valuenow', String(Math.round((done / 3) * 100)));
  await expect(page.getByText('Compass Studio will keep installing after setup.')).toBeVisible();
  await expect(page.getByText('Delta Games')).toHaveCount(0);
  await expect(page.getByRole('navigation')).toHaveCount(0);
  await expectAccessible(page, 'running');
  // The PKG's file was taken into the agent's folder and deleted.
  expect(existsSync(mac.enrollmentFilePath)).toBe(false);

  await releaseInstall(mac, 'Atlas Mail');
  await expect(heading(page, 'Your Mac is ready')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText('Your organization’s start page has opened in your browser:')).toBeVisible();
  await expect(page.getByText(LANDING_PAGE, { exact: true })).toBeVisible();
  await expect(page.getByText('Still installing in the background: Compass Studio.')).toBeVisible();
  await expect.poll(() => host.landingPages()).toEqual([LANDING_PAGE]);
  await expectAccessible(page, 'landing page');
  await expect.poll(() => installerRecord(mac, 'installed')).toEqual(['Atlas Mail', 'Beacon Chat']);

  const deviceId = await deviceIdOf(server, mac);
  const events = await eventsWhen(deviceId, host, (found) => found.some((event) => event.type === 'onboarding.ended'));
  expect(events[0]).toMatchObject({ type: 'onboarding.started', data: { steps: 3, backgroundApps: 1, timeoutSeconds: 120 } });
  expect(stepEvents(events)).toEqual(expect.arrayContaining(['configurations done', 'Atlas Mail done', 'Beacon Chat done']));
  expect(stepEvents(events).filter((line) => /Compass|Delta/.test(line))).toEqual([]);
  expect(events.filter((event) => event.type === 'onboarding.ended').map((event) => event.data)).toEqual([{ outcome: 'finished', done: 3, failed: 0, skipped: 0, total: 3 }]);
  const details = await server.admin.call<{ enrollment: { method: string }; appInstalls: { name: string; state: string }[] }>('GET', `/devices/${deviceId}`);
  expect(details.enrollment.method).toBe('automated');
  expect(details.appInstalls.filter((install) => install.state === 'installed').map((install) => install.name).sort()).toEqual(['Atlas Mail', 'Beacon Chat']);

  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(heading(page, 'Apps@Work')).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Sidebar' })).toBeVisible();
  expect(host.landingPages()).toEqual([LANDING_PAGE]);
});

test('a failed app step shows in the summary with its reason, and Retry installs it', async ({ page }) => {
  // Cobalt Docs has no package yet: its install cannot start, and the step fails with the server's reason.
  const mac = await setUpMac(server, 'retry', onboarding(), [
    { name: 'Cobalt Docs', type: 'pkg', priority: 'high', upload: false },
    { name: 'Dune Sync', type: 'pkg', priority: 'high' },
  ]);
  await writeEnrollmentFile(server, mac);
  const host = await startAgentHost(mac, { enrollmentFile: true });
  await page.goto(host.uiUrl);

  await expect(heading(page, 'Setup finished with problems')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText('1 step could not be completed. Try again, or continue and use your Mac now.')).toBeVisible();
  await expect(summarySteps(page)).toHaveText(['Configurations — Done', 'Cobalt Docs — Failed: Cobalt Docs has no package to install from this server.', 'Dune Sync — Done']);
  await expect(page.getByText('Continue opens your organization’s start page in your browser:')).toBeVisible();
  await expectAccessible(page, 'summary with a failed step');
  expect(host.landingPages()).toEqual([]);

  await uploadPackage(server, mac.apps['Cobalt Docs']!);
  await page.getByRole('button', { name: 'Retry failed steps' }).click();
  await expect(heading(page, 'Your Mac is ready')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole('button', { name: 'Retry failed steps' })).toHaveCount(0);
  await expect.poll(() => host.landingPages()).toEqual([LANDING_PAGE]);
  await expectAccessible(page, 'landing page after a retry');
  await expect.poll(() => installerRecord(mac, 'installed')).toEqual(['Dune Sync', 'Cobalt Docs']);

  const deviceId = await deviceIdOf(server, mac);
  const events = await eventsWhen(deviceId, host, (found) => found.filter((event) => event.type === 'onboarding.ended').length === 2);
  expect(events.filter((event) => event.type === 'onboarding.ended').map((event) => event.data.outcome)).toEqual(['finished-with-failures', 'finished']);
  expect(events.filter((event) => event.type === 'onboarding.retried').map((event) => event.data)).toEqual([{ failedSteps: 1 }]);
  const cobalt = events.filter((event) => event.data.name === 'Cobalt Docs').map((event) => [event.data.status, event.data.attempt]);
  expect(cobalt).toEqual(expect.arrayContaining([['failed', 1], ['pending', 2], ['done', 2]]));
});

test('the timeout ends the kiosk, and the step still installing finishes in the background', async ({ page }) => {
  const mac = await setUpMac(server, 'timeout', onboarding({ timeoutSeconds: 10, landingPageUrl: null }), [
    { name: 'Ember Draw', type: 'pkg', priority: 'high' },
    { name: 'Fjord VPN', type: 'pkg', priority: 'high' },
  ]);
  await writeEnrollmentFile(server, mac);
  // Fjord VPN waits behind Ember Draw's installer until after the 10 s are up.
  await holdInstall(mac, 'Ember Draw');
  const host = await startAgentHost(mac, { enrollmentFile: true });
  await page.goto(host.uiUrl);
  await expect(heading(page, 'Setting up your Mac')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText('Less than a minute left')).toBeVisible();
  await expect(runningSteps(page).nth(2)).toHaveText('Fjord VPN — Installing…');

  await expect(heading(page, 'Setup is taking longer than expected')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText('You can start using your Mac now; what is not finished yet keeps installing in the background.')).toBeVisible();
  const summary = summarySteps(page);
  await expect(summary.nth(2)).toHaveText('Fjord VPN — Still installing in the background');
  await expect(page.getByText('Still installing in the background: Fjord VPN.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Retry failed steps' })).toHaveCount(0);
  await expectAccessible(page, 'timed out');

  await releaseInstall(mac, 'Ember Draw');
  await expect(summary.nth(2)).toHaveText('Fjord VPN — Done', { timeout: 20_000 });
  await expect(page.getByText('Still installing in the background: Fjord VPN.')).toHaveCount(0);
  await expect(heading(page, 'Setup is taking longer than expected')).toBeVisible();
  const deviceId = await deviceIdOf(server, mac);
  await expect
    .poll(async () => (await server.admin.call<{ appInstalls: { name: string; state: string }[] }>('GET', `/devices/${deviceId}`)).appInstalls.map((install) => `${install.name} ${install.state}`).sort())
    .toEqual(['Ember Draw installed', 'Fjord VPN installed']);
  const events = await eventsWhen(deviceId, host, (found) => stepEvents(found).includes('Fjord VPN done'));
  const ended = events.findIndex((event) => event.type === 'onboarding.ended');
  expect(events[ended]?.data).toMatchObject({ outcome: 'timed-out', failed: 0, total: 3 });
  // Reported after the end: the step finished in the background.
  expect(stepEvents(events.slice(ended))).toContain('Fjord VPN done');
  expect(host.landingPages()).toEqual([]);
});

test('an agent killed mid-onboarding resumes at the step it was on and finishes', async ({ page }) => {
  const mac = await setUpMac(server, 'restart', onboarding(), [
    { name: 'Harbor Notes', type: 'pkg', priority: 'high' },
    { name: 'Iris Calendar', type: 'pkg', priority: 'high' },
    { name: 'Juniper Maps', type: 'pkg', priority: 'high' },
  ]);
  await writeEnrollmentFile(server, mac);
  await holdInstall(mac, 'Harbor Notes');
  await holdInstall(mac, 'Iris Calendar');
  const first = await startAgentHost(mac, { enrollmentFile: true });
  await page.goto(first.uiUrl);
  await expect(heading(page, 'Setting up your Mac')).toBeVisible({ timeout: 20_000 });
  const steps = runningSteps(page);
  await expect(steps.nth(2)).toHaveText('Iris Calendar — Installing…');
  await expect(steps.nth(3)).toHaveText('Juniper Maps — Installing…');
  await expect.poll(() => installerRecord(mac, 'started')).toEqual(['Harbor Notes']);
  await first.kill();
  await releaseInstall(mac, 'Harbor Notes');

  const second = await startAgentHost(mac);
  await page.goto(second.uiUrl);
  await expect(heading(page, 'Setting up your Mac')).toBeVisible({ timeout: 20_000 });
  await expect(steps.nth(0)).toHaveText('Configurations — Done');
  // Harbor Notes, whose installer had started (its step counted as done) when the agent died, and Iris Calendar,
  // under way, are installed again; Juniper Maps waits behind them as before.
  await expect.poll(async () => (await installerRecord(mac, 'started')).slice(1)).toEqual(expect.arrayContaining(['Harbor Notes', 'Iris Calendar']));
  await expect(steps.nth(3)).toHaveText('Juniper Maps — Installing…');
  await expectAccessible(page, 'running after a restart');

  await releaseInstall(mac, 'Iris Calendar');
  await expect(heading(page, 'Your Mac is ready')).toBeVisible({ timeout: 20_000 });
  await expect.poll(() => second.landingPages()).toEqual([LANDING_PAGE]);
  expect(first.landingPages()).toEqual([]);
  await expect.poll(() => installerRecord(mac, 'installed')).toEqual(expect.arrayContaining(['Harbor Notes', 'Iris Calendar', 'Juniper Maps']));

  const deviceId = await deviceIdOf(server, mac);
  const events = await eventsWhen(deviceId, second, (found) => found.some((event) => event.type === 'onboarding.ended'));
  expect(events.filter((event) => event.type === 'onboarding.started')).toHaveLength(1);
  expect(events.filter((event) => event.type === 'onboarding.resumed').map((event) => event.data)).toEqual([{ unsettledSteps: 3 }]);
  expect(events.filter((event) => event.type === 'onboarding.ended').map((event) => event.data.outcome)).toEqual(['finished']);
});

test('an automated enrollment 21 minutes old when the agent first looks at onboarding shows no kiosk', async ({ page }) => {
  const mac = await setUpMac(server, 'late', onboarding({ startWindowMinutes: 20 }), [{ name: 'Kite Office', type: 'pkg', priority: 'high' }]);
  await writeEnrollmentFile(server, mac);
  // Enrolled at the real time; then the Mac's clock is 21 minutes on, and the server refuses its check-ins (signed
  // "in the future") until the server's clock has moved as far: the first successful one looks at onboarding.
  const host = await startAgentHost(mac, { enrollmentFile: true, clockJumpAfterEnrollmentMinutes: 21 });
  const deviceId = await deviceIdOf(server, mac);
  await expect.poll(() => host.logEntries().some((entry) => entry.message === 'check-in failed')).toBe(true);
  expect(host.logEntries().filter((entry) => entry.message === 'onboarding not started')).toEqual([]);
  server.setClockOffset(21 * 60_000);
  try {
    await checkInNow(host);
    await expect.poll(() => host.logEntries().filter((entry) => entry.message === 'onboarding not started').map((entry) => entry.reason)).toEqual(['window-passed']);
    await page.goto(host.uiUrl);
    await expect(heading(page, 'Apps@Work')).toBeVisible({ timeout: 20_000 });
    await expect(page.getByRole('navigation', { name: 'Sidebar' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'All Apps' }).getByRole('link', { name: 'Kite Office', exact: true })).toBeVisible();
    await checkInNow(host);
    await expect(heading(page, 'Setting up your Mac')).toHaveCount(0);
    expect(await onboardingEvents(server, deviceId)).toEqual([]);
    expect(await installerRecord(mac, 'started')).toEqual([]);
    const device = await server.admin.call<{ enrolledAt: string; lastCheckinAt: string | null; enrollment: { method: string } }>('GET', `/devices/${deviceId}`);
    expect(device.enrollment.method).toBe('automated');
    expect(Date.parse(device.lastCheckinAt ?? '') - Date.parse(device.enrolledAt)).toBeGreaterThanOrEqual(21 * 60_000);
  } finally {
    server.setClockOffset(0);
  }
});

test('a PIN enrollment shows no kiosk, with onboarding on', async ({ page }) => {
  const mac = await setUpMac(server, 'pin', onboarding(), [{ name: 'Lumen Paint', type: 'pkg', priority: 'high' }]);
  const host = await startAgentHost(mac);
  const { pin } = await server.admin.call<{ pin: string }>('POST', `/users/${mac.userId}/registration-pins`, {});
  await page.goto(host.uiUrl);
  await expect(heading(page, 'Welcome to Atwork')).toBeVisible();
  await page.getByLabel('Server URL').fill(server.url);
  await page.getByLabel('User name').fill(mac.username);
  await page.getByLabel('PIN', { exact: true }).fill(pin);
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(heading(page, 'Apps@Work')).toBeVisible({ timeout: 20_000 });

  await checkInNow(host);
  await expect.poll(() => host.logEntries().filter((entry) => entry.message === 'onboarding not started').map((entry) => entry.reason)).toEqual(['not-automated']);
  await expect(heading(page, 'Setting up your Mac')).toHaveCount(0);
  // The high-priority app waits in Apps@Work for the user; nothing installed it unasked.
  await expect(page.getByRole('region', { name: 'All Apps' }).getByRole('link', { name: 'Lumen Paint', exact: true })).toBeVisible();
  const deviceId = await deviceIdOf(server, mac);
  expect(await onboardingEvents(server, deviceId)).toEqual([]);
  expect(await installerRecord(mac, 'started')).toEqual([]);
  expect((await server.admin.call<{ enrollment: { method: string } }>('GET', `/devices/${deviceId}`)).enrollment.method).toBe('pin');
});
