// Kiosk onboarding wired to the agent service's parts: the catalog for the apps, its install path, the outbox for the
// device log, and where the state is kept (a 0600 file in the Node agent, memory otherwise).
import type { AppsService } from '../apps/apps-service';
import type { Logger, StateStore } from '../core/ports';
import type { Clock } from '../core/ports';
import { OnboardingController, type OnboardingStore } from '../onboarding/onboarding-controller';
import type { OnboardingApp } from '../onboarding/onboarding-steps';

export interface OnboardingOptions {
  /** Where the onboarding is kept across restarts; in memory when not given. */
  store?: OnboardingStore;
  /** Opens the landing page in the user's default browser; the UI host provides it (logged only without one). */
  openLandingPage?(url: string): void;
}

/** Most apps looked at for steps: the catalog's first ten pages. */
const MAX_CATALOG_PAGES = 10;
const PAGE = 100;

export function memoryOnboardingStore(): OnboardingStore {
  let kept: unknown = null;
  return {
    read: async () => kept,
    write: async (value) => {
      kept = structuredClone(value);
    },
  };
}

export function agentOnboarding(parts: { clock: Clock; logger: Logger; outbox: Pick<StateStore, 'putOutbox'>; apps: AppsService }, options: OnboardingOptions = {}): OnboardingController {
  const { clock, logger, outbox, apps } = parts;
  return new OnboardingController({
    clock,
    logger,
    store: options.store ?? memoryOnboardingStore(),
    listApps: async () => {
      const found: OnboardingApp[] = [];
      for (let page = 0; page < MAX_CATALOG_PAGES; page++) {
        const answer = await apps.getCatalog({ limit: PAGE, offset: page * PAGE });
        found.push(...answer.apps.map((app) => ({ id: app.id, name: app.name, priority: app.priority, type: app.type })));
        if (found.length >= answer.page.total || answer.apps.length === 0) break;
      }
      return found;
    },
    install: async (appId) => {
      await apps.installApp(appId);
    },
    log: (event) => outbox.putOutbox({ kind: 'event', event }),
    openLandingPage: (url) => {
      logger.info('onboarding opens the landing page', { url });
      options.openLandingPage?.(url);
    },
  });
}
