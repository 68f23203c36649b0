// `npm run screenshots`: every page and dialog of the app, light and dark, English and German, from `npm start`'s real
// stack with the demo seed (a Mac that registers in the UI, then uses it), saved as
// docs/screenshots/<view>-<light|dark>-<en|de>.png. Each view is also checked with axe; serious or critical
// violations fail the run. Needs the built renderer (npm start builds it when stale).
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { FakeAppsService, fakeOnboarding, serveFakeAppsUi, type FakeOnboardingName } from '../tests/support/fake-catalog';
import { startStack, repoRoot } from '../tests/e2e/start-stack';
import { walkEveryView, walkOnboardingViews } from '../tests/e2e/view-walk';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const SCREENSHOT_DIR = path.join(repoRoot, 'docs', 'screenshots');
const LOCALES = [['en-US', 'en'], ['de-DE', 'de']] as const;
const SCHEMES = ['light', 'dark'] as const;
/** The demo app the walk opens: it has screenshots, reviews and a package. */
const APP_NAME = 'Atwork Notes';
/** Long enough for the "installing" view to be caught with its progress bar. */
const INSTALLER = '#!/bin/sh\nsleep 6\necho "installer: The install was successful."\n';

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), 'atwork-screenshots-'));
  const installer = path.join(work, 'slow-installer.sh');
  await writeFile(installer, INSTALLER);
  await chmod(installer, 0o755);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const problems: string[] = [];
  try {
    for (const [locale, language] of LOCALES) {
      for (const scheme of SCHEMES) {
        const stack = await startStack({ ATWORK_ENROLL: 'manual', ATWORK_UI: 'browser', ATWORK_TEST_INSTALLER: installer });
        const context = await browser.newContext({ locale, colorScheme: scheme, viewport: { width: 1100, height: 760 } });
        try {
          if (stack.registration === null) throw new Error('npm start printed no registration PIN');
          const page = await context.newPage();
          const target = { uiUrl: stack.uiUrl, registration: { serverUrl: stack.serverUrl, ...stack.registration }, appName: APP_NAME };
          await walkEveryView(page, target, (view) => shoot(page, `${view}-${scheme}-${language}.png`, problems));
        } finally {
          await context.close();
          await stack.stop();
        }
        await onboardingShots(browser, locale, `${scheme}-${language}`, scheme, problems);
      }
    }
  } finally {
    await browser.close();
    await rm(work, { recursive: true, force: true });
  }
  if (problems.length > 0) throw new Error(`axe found serious or critical violations:\n${problems.join('\n')}`);
}

async function shoot(page: Page, file: string, problems: string[]): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, file), animations: 'disabled' });
  const { violations } = await new AxeBuilder({ page }).analyze();
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of serious) problems.push(`${file}: ${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  console.log(`${file}  axe: ${serious.length === 0 ? 'no serious or critical violations' : `${serious.length} serious or critical`}`);
}

/**
 * The kiosk onboarding screens, from the fake agent service over the real bridge: on the real stack onboarding happens
 * once per automated enrollment and in seconds (ATWORK_DEMO_ONBOARDING=1 npm start shows it live), too fast to catch
 * each screen reliably.
 */
async function onboardingShots(browser: Browser, locale: string, suffix: string, scheme: 'light' | 'dark', problems: string[]): Promise<void> {
  const service = new FakeAppsService();
  const ui = await serveFakeAppsUi(service, path.join(repoRoot, 'dist', 'renderer'));
  const context = await browser.newContext({ locale, colorScheme: scheme, viewport: { width: 1100, height: 760 } });
  try {
    const page = await context.newPage();
    await page.goto(ui.url);
    const show = async (view: string) => service.startOnboarding(fakeOnboarding(view.replace(/^onboarding-/, '') as FakeOnboardingName));
    await walkOnboardingViews(page, show, (view) => shoot(page, `${view}-${suffix}.png`, problems));
  } finally {
    await context.close();
    await ui.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
