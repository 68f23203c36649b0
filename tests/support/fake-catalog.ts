// Apps@Work fixture for the UI tests: a catalog of made-up apps with reviews, an agent service answering from it with
// installs that make progress, its images drawn as PNGs on request (no copied images), and a server for the built UI.
import { contentSecurityPolicy, serverImageSource } from '../../src/shared/content-security-policy';
import { contentTypeOf } from '../../src/shared/static-content-types';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { agentServiceRoutes } from '../../src/agent/transport/agent-service-http';
import { ServiceError } from '../../src/shared/agent-service-contract';
import type { EnrollParams, EnrollResult, InstallProgress, MethodArgs, MethodResult } from '../../src/shared/agent-service-contract';
import { CATALOG_IMAGE_PATH } from '../../src/shared/catalog-protocol';
import type { AgentStatus } from '../../src/shared/agent-status';
import type { AppDetails, AppSummary, CatalogImage, Review, Screenshot } from '../../src/shared/catalog-protocol';
import type { OnboardingStepView, OnboardingView } from '../../src/shared/onboarding-view';
import { FakeAgentService, makeOnboarding, makeStatus } from './fake-agent-service';
import { catalogSearchTerm, catalogSearchText, matchesCatalogSearch } from '../../src/shared/catalog-search';

/** An image of the fixture: what the catalog names and what to draw for it. */
export interface FakeImage extends CatalogImage {
  kind: 'icon' | 'screenshot';
  hue: number;
}

const images = new Map<string, FakeImage>();

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function image(key: string, kind: FakeImage['kind'], hue: number, width: number, height: number): CatalogImage {
  const spec: FakeImage = { sha256: sha(key), thumbnailSha256: sha(`${key}#thumbnail`), width, height, kind, hue };
  images.set(spec.sha256, spec);
  images.set(spec.thumbnailSha256, spec);
  return { sha256: spec.sha256, thumbnailSha256: spec.thumbnailSha256, width, height };
}

function screenshots(appId: string, hue: number, captions: string[]): Screenshot[] {
  return captions.map((caption, index) => ({ ...image(`${appId}-shot-${index}`, 'screenshot', hue + index * 25, 1280, 800), caption }));
}

type FakeApp = AppDetails & { reviews: Review[] };

function app(summary: Partial<Omit<AppSummary, 'rating'>> & Pick<AppSummary, 'id' | 'name' | 'publisher' | 'category'>, details: Partial<FakeApp> = {}): FakeApp {
  return {
    version: '1.0.0',
    shortDescription: `${summary.name} for your Mac at work.`,
    type: 'pkg',
    priority: 'normal',
    featured: false,
    icon: null,
    installState: 'not_installed',
    bundleId: `com.example.${summary.id}`,
    description: `${summary.name} is made available to this Mac by your organization.`,
    size: 48_300_000,
    screenshots: [],
    silentInstall: true,
    myReview: null,
    installMessage: null,
    reviews: [],
    rating: { average: null, count: 0, histogram: [0, 0, 0, 0, 0] as [number, number, number, number, number] },
    ...summary,
    ...details,
  };
}

const REVIEWERS = ['Grace Hopper', 'Alan Turing', 'Katherine Johnson', 'Linus T.', 'Margaret Hamilton', 'Dennis R.', 'Barbara Liskov'];

function reviewsOf(appId: string, ratings: number[]): Review[] {
  return ratings.map((rating, index) => {
    const at = new Date(Date.UTC(2026, 10, 28 - index * 3, 9 + index)).toISOString();
    return { id: `${appId}-review-${index}`, author: REVIEWERS[index % REVIEWERS.length] ?? 'Someone', rating, title: REVIEW_TITLES[rating - 1] ?? 'Review', text: REVIEW_TEXTS[rating - 1] ?? '', createdAt: at, updatedAt: at };
  });
}

const REVIEW_TITLES = ['Does not start', 'Needs work', 'It is fine', 'Very useful', 'Excellent'];
const REVIEW_TEXTS = [
  'Crashes right after launch on my Mac.',
  'Slow to sync, and the settings are hard to find.',
  'Does the job, nothing more.',
  'I use it every day; the search is quick.',
  'Exactly what our team needed. Installs in seconds.',
];

/** The catalog as the tests expect it: names, categories and counts are asserted on, so change them with the tests. */
export function fakeCatalogApps(): FakeApp[] {
  return [
    app(
      { id: 'notes', name: 'Team Notes', publisher: 'Example Ltd', category: 'Productivity', version: '2.1.0', featured: true, icon: image('notes-icon', 'icon', 45, 512, 512), shortDescription: 'Shared notes for every project, with search and offline sync.' },
      {
        description: 'Team Notes keeps your team’s notes in one place.\n\nWrite with Markdown, attach files, and find anything with instant search. Notes sync when you are back online.',
        screenshots: screenshots('notes', 45, ['The note list and editor', 'Searching all notes', 'Sharing a notebook']),
        reviews: reviewsOf('notes', [5, 4, 5, 3, 5, 4, 2]),
      },
    ),
    app(
      { id: 'vpn', name: 'Secure Connect', publisher: 'Example Networks', category: 'Utilities', version: '5.4', featured: true, icon: image('vpn-icon', 'icon', 210, 512, 512), shortDescription: 'The company VPN: one click to the office network.' },
      { reviews: reviewsOf('vpn', [4, 3]), size: 12_800_000 },
    ),
    app({ id: 'chat', name: 'Chat', publisher: 'Talkative Inc.', category: 'Communication', icon: image('chat-icon', 'icon', 140, 256, 256) }, { reviews: reviewsOf('chat', [5, 5, 4]) }),
    app({ id: 'xcode-tools', name: 'Command Line Tools', publisher: 'Apple', category: 'Developer Tools', type: 'app-store' }, { size: null, installState: 'installed' }),
    app({ id: 'editor', name: 'Code Editor', publisher: 'Example Ltd', category: 'Developer Tools', icon: image('editor-icon', 'icon', 280, 512, 512) }, { reviews: reviewsOf('editor', [5, 4]) }),
    app({ id: 'pdf', name: 'PDF Expert Reader', publisher: 'Paperwork GmbH', category: 'Productivity', icon: image('pdf-icon', 'icon', 0, 512, 512) }),
    app({ id: 'backup', name: 'Backup Agent', publisher: 'Example Ltd', category: 'Utilities' }, { installState: 'failed', installMessage: 'The disk is full.' }),
    app({ id: 'calendar', name: 'Calendar Sync', publisher: 'Talkative Inc.', category: 'Communication', icon: image('calendar-icon', 'icon', 330, 512, 512) }, { reviews: reviewsOf('calendar', [3]) }),
  ].map(withRating);
}

function withRating(entry: FakeApp): FakeApp {
  const histogram: [number, number, number, number, number] = [0, 0, 0, 0, 0];
  for (const review of entry.reviews) histogram[review.rating - 1] = (histogram[review.rating - 1] ?? 0) + 1;
  const count = entry.reviews.length;
  const average = count === 0 ? null : entry.reviews.reduce((sum, review) => sum + review.rating, 0) / count;
  return { ...entry, rating: { average, count, histogram } };
}

/** The image a hash names in the fixture, or undefined. */
export function fakeImage(sha256: string): FakeImage | undefined {
  return images.get(sha256);
}

/** Draws a fixture image as PNG: an icon as a tinted squircle with a glyph, a screenshot as a window of blocks. */
export async function renderFakeImage(spec: FakeImage, thumbnail: boolean): Promise<Buffer> {
  const { default: sharp } = await import('sharp');
  const scale = thumbnail ? 0.25 : 1;
  const width = Math.round(spec.width * scale);
  const height = Math.round(spec.height * scale);
  const svg = spec.kind === 'icon' ? iconSvg(spec.hue) : screenshotSvg(spec.hue);
  return sharp(Buffer.from(svg)).resize(width, height).png().toBuffer();
}

function iconSvg(hue: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512"><defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="hsl(${hue},75%,62%)"/><stop offset="1" stop-color="hsl(${hue},70%,42%)"/></linearGradient></defs><rect x="24" y="24" width="464" height="464" rx="104" fill="url(#g)"/><circle cx="256" cy="236" r="110" fill="white" fill-opacity="0.9"/><rect x="166" y="370" width="180" height="28" rx="14" fill="white" fill-opacity="0.7"/></svg>`;
}

function screenshotSvg(hue: number): string {
  const rows = [0, 1, 2, 3, 4].map((row) => `<rect x="300" y="${130 + row * 110}" width="${820 - row * 90}" height="70" rx="10" fill="hsl(${hue},40%,88%)"/>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1280" height="800"><rect width="1280" height="800" fill="hsl(${hue},45%,55%)"/><rect x="60" y="40" width="1160" height="720" rx="16" fill="#fbfbfd"/><rect x="60" y="40" width="1160" height="52" rx="16" fill="#ececef"/><circle cx="96" cy="66" r="9" fill="#ff5f57"/><circle cx="124" cy="66" r="9" fill="#febc2e"/><circle cx="152" cy="66" r="9" fill="#28c840"/><rect x="60" y="92" width="200" height="668" fill="#f0f0f3"/>${rows}</svg>`;
}

export interface FakeAppsOptions {
  status?: Partial<AgentStatus>;
  /** How long each step of an install's progress takes. */
  installStepMs?: number;
}

export const WRONG_PIN = '0000';

/** The app that fails to install the first time, so a test can see the reason and Retry. */
export const FAILS_ONCE_APP_ID = 'vpn';

/** The agent service of FakeAgentService, with the fixture's catalog, reviews that save, and installs that progress. */
export class FakeAppsService extends FakeAgentService {
  apps = fakeCatalogApps();
  /** How many getCatalog calls to refuse, as a server that cannot be reached, before answering. */
  catalogFailures = 0;
  private readonly installStepMs: number;
  private readonly failedOnce = new Set<string>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(options: FakeAppsOptions = {}) {
    super(makeStatus(options.status));
    this.installStepMs = options.installStepMs ?? 400;
  }

  /** PIN 0000 is refused as a wrong PIN, so a test sees the coded error travel to the page. */
  override async enroll(params: EnrollParams): Promise<EnrollResult> {
    if (params.pin === WRONG_PIN) throw new ServiceError('wrong_pin', 'The user name or PIN is wrong.');
    const result = await super.enroll(params);
    const now = new Date();
    this.emit({ ...this.status, enrolledAt: now.toISOString(), lastCheckinAt: now.toISOString(), nextCheckinAt: new Date(now.getTime() + 15 * 60_000).toISOString() });
    return result;
  }

  override async getCatalog(query: MethodArgs<'getCatalog'>[0]): Promise<MethodResult<'getCatalog'>> {
    if (this.catalogFailures > 0) {
      this.catalogFailures -= 1;
      throw new ServiceError('server_unreachable', 'The server did not answer.');
    }
    const term = catalogSearchTerm(query.search);
    const matching = this.apps.filter((entry) => (query.category === undefined || entry.category === query.category) && matchesCatalogSearch(catalogSearchText(entry), term));
    const categories = [...new Set(this.apps.map((entry) => entry.category))].sort();
    return { apps: matching.slice(query.offset, query.offset + query.limit).map(summaryOf), page: { limit: query.limit, offset: query.offset, total: matching.length }, categories };
  }

  override async getAppDetails(appId: string): Promise<AppDetails> {
    const { reviews: _reviews, ...details } = this.find(appId);
    return details;
  }

  override async getReviews(appId: string, query: MethodArgs<'getReviews'>[1]): Promise<MethodResult<'getReviews'>> {
    const reviews = [...this.find(appId).reviews].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
    return { reviews: reviews.slice(query.offset, query.offset + query.limit), page: { limit: query.limit, offset: query.offset, total: reviews.length } };
  }

  override async saveReview(appId: string, input: MethodArgs<'saveReview'>[1]): Promise<Review> {
    const entry = this.find(appId);
    const now = new Date().toISOString();
    const review: Review = { id: entry.myReview?.id ?? `${appId}-mine`, author: 'Ada Lovelace', createdAt: entry.myReview?.createdAt ?? now, updatedAt: now, ...input };
    this.replace(withRating({ ...entry, myReview: review, reviews: [review, ...entry.reviews.filter((other) => other.id !== review.id)] }));
    return review;
  }

  override async installApp(appId: string): Promise<InstallProgress> {
    const entry = this.find(appId);
    const totalBytes = entry.size ?? 0;
    const start: InstallProgress = { appId, name: entry.name, version: entry.version, phase: 'downloading', receivedBytes: 0, totalBytes, message: null, startedAt: new Date().toISOString(), endedAt: null };
    const fails = appId === FAILS_ONCE_APP_ID && !this.failedOnce.has(appId);
    if (fails) this.failedOnce.add(appId);
    const steps: Partial<InstallProgress>[] = [
      { receivedBytes: Math.round(totalBytes * 0.3) },
      { receivedBytes: Math.round(totalBytes * 0.65) },
      { receivedBytes: totalBytes, phase: 'verifying' },
      { phase: 'installing' },
      fails ? { phase: 'failed', message: 'The installer needs macOS 15 or later.', endedAt: 'now' } : { phase: 'installed', endedAt: 'now' },
    ];
    this.setInstall(start);
    steps.forEach((step, index) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        const before = this.installs.find((install) => install.appId === appId) ?? start;
        const next = { ...before, ...step, endedAt: step.endedAt === undefined ? null : new Date().toISOString() };
        this.setInstall(next);
        if (next.phase === 'installed' || next.phase === 'failed') this.replace({ ...this.find(appId), installState: next.phase, installMessage: next.message });
      }, this.installStepMs * (index + 1));
      this.timers.add(timer);
    });
    return start;
  }

  /** Shows a kiosk onboarding, as the agent does after an automated enrollment: its event brings it to an open UI. */
  startOnboarding(onboarding: OnboardingView = fakeOnboarding('running')): void {
    this.emitOnboarding(onboarding);
  }

  /** One step on: the running step is done and the next waiting one runs; with none left, the onboarding ends. */
  advanceOnboarding(): void {
    if (this.onboarding !== null) this.emitOnboarding(advancedOnboarding(this.onboarding));
  }

  /** Stops the installs under way, so a test ends without timers left. */
  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private setInstall(install: InstallProgress): void {
    this.emitInstalls([...this.installs.filter((other) => other.appId !== install.appId), install]);
  }

  private find(appId: string): FakeApp {
    const entry = this.apps.find((candidate) => candidate.id === appId);
    if (entry === undefined) throw new Error(`No app ${appId} in the fake catalog.`);
    return entry;
  }

  private replace(entry: FakeApp): void {
    this.apps = this.apps.map((other) => (other.id === entry.id ? entry : other));
  }
}

function summaryOf(entry: FakeApp): AppSummary {
  const { id, name, publisher, category, version, shortDescription, type, priority, featured, icon, installState } = entry;
  return { id, name, publisher, category, version, shortDescription, type, priority, featured, icon, installState, rating: { average: entry.rating.average, count: entry.rating.count } };
}

export type FakeOnboardingName = 'running' | 'offline' | 'summary' | 'landing-page' | 'timed-out';

const LANDING_PAGE = 'https://intranet.example.com/welcome';

/** The onboarding screens the UI tests look at: running, offline, a failure's summary, the landing page, timed out. */
export function fakeOnboarding(name: FakeOnboardingName): OnboardingView {
  const base = makeOnboarding();
  const [configurations, office, slack] = base.steps as [OnboardingStepView, OnboardingStepView, OnboardingStepView];
  const ended = { remainingSeconds: 0, progress: { done: 3, failed: 0, skipped: 0, total: 3, fraction: 1 } };
  switch (name) {
    case 'running':
      return base;
    case 'offline':
      return makeOnboarding({ offline: true, steps: [configurations, { ...office, status: 'pending' }, slack] });
    case 'summary':
      return makeOnboarding({
        ...ended,
        outcome: 'finished-with-failures',
        progress: { done: 2, failed: 1, skipped: 0, total: 3, fraction: 1 },
        steps: [configurations, { ...office, status: 'done' }, { ...slack, status: 'failed', failureMessage: 'The installer needs macOS 15 or later.' }],
        end: { kind: 'summary', canRetry: true, landingPageUrl: LANDING_PAGE },
      });
    case 'landing-page':
      return makeOnboarding({ ...ended, outcome: 'finished', steps: [configurations, { ...office, status: 'done' }, { ...slack, status: 'done' }], end: { kind: 'landing-page', url: LANDING_PAGE } });
    case 'timed-out':
      return makeOnboarding({
        ...ended,
        outcome: 'timed-out',
        progress: { done: 1, failed: 0, skipped: 1, total: 3, fraction: 2 / 3 },
        steps: [configurations, office, { ...slack, status: 'skipped' }],
        end: { kind: 'summary', canRetry: false, landingPageUrl: null },
      });
  }
}

/** The onboarding one step on, as the agent would report it; ended as finished or with failures once every step settled. */
function advancedOnboarding(onboarding: OnboardingView): OnboardingView {
  const running = onboarding.steps.findIndex((step) => step.status === 'running');
  const next = onboarding.steps.findIndex((step, index) => step.status === 'pending' && index > running);
  const steps = onboarding.steps.map((step, index): OnboardingStepView => (index === running ? { ...step, status: 'done' } : index === next ? { ...step, status: 'running' } : step));
  const count = (status: OnboardingStepView['status']) => steps.filter((step) => step.status === status).length;
  const [done, failed, skipped] = [count('done'), count('failed'), count('skipped')];
  const progress = { done, failed, skipped, total: steps.length, fraction: (done + failed + skipped) / steps.length };
  if (steps.some((step) => step.status === 'pending' || step.status === 'running')) return { ...onboarding, steps, progress };
  const outcome = failed + skipped === 0 ? 'finished' : 'finished-with-failures';
  return { ...onboarding, steps, progress, outcome, remainingSeconds: 0, end: { kind: 'summary', canRetry: failed > 0, landingPageUrl: null } };
}

export interface FakeAppsUi {
  origin: string;
  /** The page to open: the built renderer with the bridge token in its fragment. */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves the built renderer (dist/renderer), the browser bridge over the service, and the fixture's images at the
 * path the catalog names them, all on one origin, which the service's status gives as the server URL.
 */
export async function serveFakeAppsUi(service: FakeAppsService, rendererDir: string): Promise<FakeAppsUi> {
  const token = 'fake-bridge-token';
  const routes = agentServiceRoutes(service);
  const rendered = new Map<string, Promise<Buffer>>();
  const server = createServer((request, response) => {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    const answer = async (): Promise<void> => {
      if (pathname.startsWith('/bridge/')) {
        if (request.headers.authorization !== `Bearer ${token}`) return void response.writeHead(401).end();
        return routes.handle(pathname, request, response);
      }
      if (pathname.startsWith(`${CATALOG_IMAGE_PATH}/`)) {
        const sha256 = pathname.slice(CATALOG_IMAGE_PATH.length + 1);
        const spec = fakeImage(sha256);
        if (spec === undefined) return void response.writeHead(404).end();
        if (!rendered.has(sha256)) rendered.set(sha256, renderFakeImage(spec, sha256 === spec.thumbnailSha256));
        const png = await rendered.get(sha256);
        return void response.writeHead(200, { 'Content-Type': 'image/png', 'Cache-Control': 'public, max-age=31536000, immutable' }).end(png);
      }
      const file = path.join(rendererDir, pathname === '/' ? 'index.html' : path.normalize(pathname));
      if (!file.startsWith(rendererDir)) return void response.writeHead(404).end();
      const body = await readFile(file).catch(() => null);
      if (body === null) return void response.writeHead(404).end();
      // The policy both real hosts send: images from this origin only, which is the fake's server URL too.
      const policy = contentSecurityPolicy(serverImageSource(service.status.serverUrl));
      response.writeHead(200, { 'Content-Type': contentTypeOf(file), 'Content-Security-Policy': policy }).end(body);
    };
    answer().catch((error: unknown) => response.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  service.status = { ...service.status, serverUrl: service.status.serverUrl === null ? null : origin };
  return {
    origin,
    url: `${origin}/#token=${token}`,
    close: async () => {
      service.stop();
      routes.endStreams();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
