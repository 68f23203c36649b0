// Every page and dialog of the app and every onboarding screen, light and dark, against the fake catalog: no serious or
// critical axe violations.
// (`npm run screenshots` walks the same views against the real server for docs/screenshots.)
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import type { Browser, Page } from '@playwright/test';
import { FakeAppsService, fakeOnboarding, serveFakeAppsUi } from '../support/fake-catalog';
import type { FakeOnboardingName } from '../support/fake-catalog';
import { ONBOARDING_VIEWS, VIEWS, walkEveryView, walkOnboardingViews, type OnboardingViewName, type View } from './view-walk';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const rendererDir = path.join(repoRoot, 'dist', 'renderer');
const SCHEMES = ['light', 'dark'] as const;
type Scheme = (typeof SCHEMES)[number];

test.beforeAll(() => {
  if (!existsSync(path.join(rendererDir, 'index.html'))) throw new Error('Build the renderer first: npm run build:renderer (npm run test:e2e does).');
});

/** Walks every view of a Mac that registers and then uses the app, then the onboarding screens, against the fake catalog. */
async function walkFakeViews(browser: Browser, scheme: Scheme, seen: (page: Page, view: View | OnboardingViewName) => Promise<void>): Promise<void> {
  const service = new FakeAppsService({ installStepMs: 1500, status: { enrolled: false, serverUrl: null, deviceId: null, enrolledAt: null, lastCheckinAt: null, nextCheckinAt: null } });
  const ui = await serveFakeAppsUi(service, rendererDir);
  const context = await browser.newContext({ locale: 'en-US', colorScheme: scheme, viewport: { width: 1100, height: 760 } });
  const page = await context.newPage();
  try {
    await walkEveryView(page, { uiUrl: ui.url, registration: { serverUrl: ui.origin, username: 'ada', pin: '123456' }, appName: 'Team Notes' }, (view) => seen(page, view));
    const show = async (view: OnboardingViewName) => service.startOnboarding(fakeOnboarding(view.replace(/^onboarding-/, '') as FakeOnboardingName));
    await walkOnboardingViews(page, show, (view) => seen(page, view));
  } finally {
    await context.close();
    await ui.close();
  }
}

for (const scheme of SCHEMES) {
  test(`every page and dialog passes axe in ${scheme} mode (no serious or critical violations)`, async ({ browser }) => {
    const found: string[] = [];
    const seen: (View | OnboardingViewName)[] = [];
    await walkFakeViews(browser, scheme, async (page, view) => {
      seen.push(view);
      const { violations } = await new AxeBuilder({ page }).analyze();
      for (const violation of violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')) {
        found.push(`${view}: ${violation.id} (${violation.impact}) at ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
      }
    });
    expect(seen).toEqual([...VIEWS, ...ONBOARDING_VIEWS]);
    expect(found).toEqual([]);
  });
}
