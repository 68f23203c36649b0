// The kiosk onboarding rendered over the fake service's states: it replaces the app while shown, the running screen
// (progress, steps in words, time left, offline, background apps), and the end (summary, landing page, timed out).
import { describe, expect, it } from 'vitest';
import { createIntl } from 'react-intl';
import type { OnboardingStepView, OnboardingView } from '../../src/shared/onboarding-view';
import { applyOnboardingEvent } from '../../src/renderer/shell/agent-events';
import { queryKeys } from '../../src/renderer/shell/agent-queries';
import { createQueryClient } from '../../src/renderer/shell/app-providers';
import { formatMinutesLeft } from '../../src/renderer/shell/format';
import { makeOnboarding } from '../support/fake-agent-service';
import { attributeOf, renderAt, seedCatalog, tagsWith, textOf } from './render-app';

function renderOnboarding(view: OnboardingView, language = 'en-US', path = '/apps'): string {
  return renderAt(path, {
    language,
    seed: (client) => {
      client.setQueryData(queryKeys.onboarding, view);
      seedCatalog(client, { apps: [], page: { limit: 60, offset: 0, total: 0 }, categories: [] });
    },
  });
}

/** The text of each item of the list with this accessible name. */
function listItems(html: string, label: string): string[] {
  const list = new RegExp(`<ul[^>]*aria-label="${label}"[^>]*>(.*?)</ul>`).exec(html)?.[1] ?? '';
  return [...list.matchAll(/<li\b[^>]*>(.*?)<\/li>/g)].map((match) => textOf(match[1] ?? ''));
}

const step = (name: string, status: OnboardingStepView['status'], more: Partial<OnboardingStepView> = {}): OnboardingStepView => ({
  key: `app:${name.toLowerCase()}`,
  kind: 'app',
  appName: name,
  status,
  attempt: 1,
  failureMessage: null,
  ...more,
});
const CONFIGURATIONS = { ...step('x', 'done'), key: 'configurations', kind: 'configurations' as const, appName: null };

const FAILED: OnboardingView = makeOnboarding({
  outcome: 'finished-with-failures',
  remainingSeconds: 0,
  progress: { done: 2, failed: 1, skipped: 0, total: 3, fraction: 1 },
  steps: [CONFIGURATIONS, step('Microsoft Office', 'done'), step('Slack', 'failed', { failureMessage: 'The installer needs macOS 15 or later.' })],
  end: { kind: 'summary', canRetry: true, landingPageUrl: null },
});

describe('the onboarding kiosk', () => {
  it('takes the whole window while the agent shows one: no sidebar, no catalog', () => {
    const html = renderOnboarding(makeOnboarding());
    expect(html).toMatch(/^<main class="onboarding">/);
    expect(html).not.toContain('aria-label="Sidebar"');
    expect(html).not.toContain('Apps@Work');
    expect(tagsWith(html, 'a', 'href', /./)).toEqual([]);
  });

  it('follows the onboardingChanged event in the query cache, an end (null) included', () => {
    const client = createQueryClient();
    applyOnboardingEvent(client, makeOnboarding({ remainingSeconds: 83 }));
    expect(client.getQueryData<OnboardingView>(queryKeys.onboarding)?.remainingSeconds).toBe(83);
    applyOnboardingEvent(client, null);
    expect(client.getQueryData(queryKeys.onboarding)).toBeNull();
    client.clear();
  });

  it('shows the app as usual when there is none (null) or it is not known yet', () => {
    const none = renderAt('/apps', { seed: (client) => client.setQueryData(queryKeys.onboarding, null) });
    expect(none).toContain('<nav class="sidebar" aria-label="Sidebar">');
    expect(renderAt('/apps')).toContain('<h1>Apps@Work</h1>');
  });
});

describe('the running screen', () => {
  it('has a heading, what is happening, a named progressbar in percent and the list "Onboarding steps"', () => {
    const html = renderOnboarding(makeOnboarding());
    expect(html).toMatch(/<h1 tabindex="-1" class="onboarding-title">Setting up your Mac<\/h1>/);
    expect(html).toMatch(/<div role="status" class="onboarding-activity"><p>Installing Microsoft Office…<\/p><\/div>/);
    const [bar = ''] = tagsWith(html, 'div', 'role', /^progressbar$/);
    expect(attributeOf(bar, 'aria-label')).toBe('Setup progress');
    expect(attributeOf(bar, 'aria-valuenow')).toBe('33');
    expect(attributeOf(bar, 'aria-valuetext')).toBe('33%, 1 of 3 steps finished');
    expect(listItems(html, 'Onboarding steps')).toEqual(['Configurations — Done', 'Microsoft Office — Installing…', 'Slack — Waiting']);
    expect(textOf(html)).toContain('1 of 3 steps finished About 1 minute left');
    expect(textOf(html)).toContain('Xcode will keep installing after setup.');
    expect(html).not.toContain('<button');
  });

  it('gives every step state in words with a decorative icon, and the attempt of a retried step', () => {
    const view = makeOnboarding({
      steps: [
        { ...CONFIGURATIONS, status: 'running' },
        step('Slack', 'failed', { failureMessage: 'The disk is full.' }),
        step('Zoom', 'failed'),
        step('Teams', 'skipped'),
        step('Office', 'pending', { attempt: 2 }),
      ],
    });
    const html = renderOnboarding(view);
    expect(listItems(html, 'Onboarding steps')).toEqual([
      'Configurations — Applying…',
      'Slack — Failed: The disk is full.',
      'Zoom — Failed',
      'Teams — Skipped',
      'Office — Waiting (attempt 2)',
    ]);
    expect(textOf(html)).toContain('Applying your organization’s settings…');
    const icons = [...html.matchAll(/<(svg|span) class="step-icon[^"]*"[^>]*>/g)].map((match) => match[0]);
    expect(icons).toHaveLength(5);
    for (const icon of icons) expect(attributeOf(icon, 'aria-hidden')).toBe('true');
  });

  it('says honestly that the time stands still while offline', () => {
    const html = renderOnboarding(makeOnboarding({ offline: true, steps: [CONFIGURATIONS, step('Slack', 'pending')] }));
    expect(textOf(html)).toContain('Getting the next step ready… Waiting for the network — the time does not run while your Mac is offline.');
    expect(html).toMatch(/<p class="onboarding-offline"><svg[^>]*aria-hidden="true"/);
  });

  it('writes the time left in words, and lists many background apps shortly', () => {
    expect(textOf(renderOnboarding(makeOnboarding({ remainingSeconds: 45 })))).toContain('Less than a minute left');
    expect(textOf(renderOnboarding(makeOnboarding({ remainingSeconds: 65 * 60 })))).toContain('About 1 hour 5 minutes left');
    const apps = ['Xcode', 'Zoom', 'Figma', 'Docker', 'Postman'].map((appName) => ({ appId: appName.toLowerCase(), appName }));
    expect(textOf(renderOnboarding(makeOnboarding({ backgroundApps: apps })))).toContain('Xcode, Zoom, Figma, and 2 more apps will keep installing after setup.');
  });

  it('speaks German, with its numbers and durations', () => {
    const html = renderOnboarding(makeOnboarding({ remainingSeconds: 150 }), 'de-DE');
    expect(html).toContain('Dein Mac wird eingerichtet');
    expect(html).toContain('aria-label="Schritte der Einrichtung"');
    expect(html).toContain('aria-label="Fortschritt der Einrichtung"');
    expect(html).toMatch(/aria-valuetext="33\s%, 1 von 3 Schritten abgeschlossen"/);
    expect(listItems(html, 'Schritte der Einrichtung')).toEqual(['Konfigurationen — Fertig', 'Microsoft Office — Wird installiert …', 'Slack — Wartet']);
    expect(textOf(html)).toContain('Noch etwa 3 Minuten');
    expect(textOf(html)).toContain('Nach der Einrichtung wird weiter installiert: Xcode.');
    expect(formatMinutesLeft(createIntl({ locale: 'de-DE' }), 3600)).toBe('1 Stunde');
  });
});

describe('the end', () => {
  it('sums up a failure with "Retry failed steps" and Continue', () => {
    const html = renderOnboarding(FAILED);
    expect(html).toContain('Setup finished with problems');
    expect(textOf(html)).toContain('1 step could not be completed. Try again, or continue and use your Mac now.');
    expect(listItems(html, 'Setup summary')).toEqual(['Configurations — Done', 'Microsoft Office — Done', 'Slack — Failed: The installer needs macOS 15 or later.']);
    const buttons = [...html.matchAll(/<button[^>]*>([^<]*)<\/button>/g)].map((match) => match[1]);
    expect(buttons).toEqual(['Retry failed steps', 'Continue']);
    expect(html).not.toContain('role="progressbar"');
  });

  it('sums up a clean end without a landing page: ready, no Retry', () => {
    const view = makeOnboarding({
      outcome: 'finished',
      remainingSeconds: 0,
      progress: { done: 3, failed: 0, skipped: 0, total: 3, fraction: 1 },
      steps: [CONFIGURATIONS, step('Microsoft Office', 'done'), step('Slack', 'done')],
      backgroundApps: [],
      end: { kind: 'summary', canRetry: false, landingPageUrl: null },
    });
    const html = renderOnboarding(view);
    expect(textOf(html)).toContain('Your Mac is ready Everything is set up. You can start using your Mac now.');
    expect(listItems(html, 'Setup summary')).toEqual(['Configurations — Done', 'Microsoft Office — Done', 'Slack — Done']);
    expect([...html.matchAll(/<button[^>]*>([^<]*)<\/button>/g)].map((match) => match[1])).toEqual(['Continue']);
  });

  it('shows the landing page address with Continue, and no link to it', () => {
    const view = makeOnboarding({ outcome: 'finished', remainingSeconds: 0, end: { kind: 'landing-page', url: 'https://intranet.example.com/welcome' }, backgroundApps: [] });
    const html = renderOnboarding(view);
    expect(textOf(html)).toContain('Your Mac is ready');
    expect(textOf(html)).toContain('Your organization’s start page has opened in your browser: https://intranet.example.com/welcome');
    expect(html).not.toContain('<a ');
    expect(html).not.toContain('aria-label="Setup summary"');
  });

  it('says a timed-out setup took longer than expected and what keeps installing in the background', () => {
    const view = makeOnboarding({
      outcome: 'timed-out',
      remainingSeconds: 0,
      progress: { done: 1, failed: 0, skipped: 1, total: 3, fraction: 2 / 3 },
      steps: [CONFIGURATIONS, step('Microsoft Office', 'running'), step('Slack', 'skipped')],
      end: { kind: 'summary', canRetry: false, landingPageUrl: 'https://intranet.example.com/' },
    });
    const html = renderOnboarding(view);
    expect(html).toContain('Setup is taking longer than expected');
    expect(listItems(html, 'Setup summary')).toEqual(['Configurations — Done', 'Microsoft Office — Still installing in the background', 'Slack — Skipped']);
    expect(textOf(html)).toContain('Still installing in the background: Microsoft Office and Xcode.');
    expect(textOf(html)).toContain('https://intranet.example.com/');
  });

  it('says the end in German', () => {
    const html = renderOnboarding(FAILED, 'de-DE');
    expect(textOf(html)).toContain('1 Schritt konnte nicht abgeschlossen werden.');
    expect(html).toContain('>Fehlgeschlagene Schritte wiederholen</button>');
    expect(html).toContain('>Weiter</button>');
  });
});
