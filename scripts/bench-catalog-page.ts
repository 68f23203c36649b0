// The browser side of `npm run bench:catalog`: timings taken inside the page (performance.now()) and image requests counted with CDP.
import type { Browser, Page } from 'playwright-core';
import { NOUNS } from './bench-catalog-seed';

export const VIEWPORT = { width: 1100, height: 760 };

/**
 * Installed before the page's own scripts (plain JavaScript: Playwright sends it as text). A MutationObserver on the
 * whole document checks the armed condition after every change; the first time it holds, the next
 * requestAnimationFrame callback (the frame that paints the change) records performance.now(). The start is 0, the
 * navigation start, for the first paint, or performance.now() in a capturing keydown or click listener.
 */
const IN_PAGE = `(() => {
  const state = { t0: null, t1: null, check: null };
  const section = (title) => [...document.querySelectorAll('section')].find((s) => s.querySelector('h2')?.textContent === title);
  const idle = () => document.querySelector('.catalog')?.getAttribute('aria-busy') === 'false';
  const hasTiles = (title) => { const s = section(title); return s !== undefined && s.querySelector('a') !== null && idle(); };
  const conditions = {
    catalog: () => hasTiles('All Apps'),
    search: (q) => hasTiles('Results for \\u201c' + q + '\\u201d'),
    details: (name) => [...document.querySelectorAll('h1')].some((h) => h.textContent === name),
  };
  const changed = () => {
    if (state.check !== null && state.check()) {
      state.check = null;
      requestAnimationFrame(() => { state.t1 = performance.now(); });
    }
  };
  new MutationObserver(changed).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  window.__bench = {
    arm(kind, arg, startEvent) {
      state.t1 = null;
      state.t0 = startEvent === null ? 0 : null;
      state.check = () => conditions[kind](arg);
      if (startEvent !== null) document.addEventListener(startEvent, () => { state.t0 = performance.now(); }, { capture: true, once: true });
    },
    result() { return state.t0 === null || state.t1 === null ? null : state.t1 - state.t0; },
  };
  window.__bench.arm('catalog', null, null);
})();`;

type Armed = { kind: 'catalog' | 'search' | 'details'; arg: string | null; startEvent: 'keydown' | 'click' | null };

async function arm(page: Page, armed: Armed): Promise<void> {
  await page.evaluate(`window.__bench.arm(${JSON.stringify(armed.kind)}, ${JSON.stringify(armed.arg)}, ${JSON.stringify(armed.startEvent)})`);
}

/**
 * Polls with page.evaluate (CDP's Runtime.evaluate): the page's CSP (script-src 'self') refuses the eval that
 * waitForFunction with a string needs. The figure is taken in the page, so the polling adds nothing to it.
 */
async function until<T>(page: Page, expression: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = (await page.evaluate(expression)) as T | null | false;
    if (value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const measured = (page: Page): Promise<number> => until<number>(page, 'window.__bench.result()');

/** Milestones of one first paint, ms from navigation start, from the Navigation and Resource Timing entries. */
export interface PaintSteps {
  script: number;
  domContentLoaded: number;
  statusStart: number;
  statusEnd: number;
  catalogStart: number;
  catalogEnd: number;
}

const STEPS = `(() => {
  const res = (path) => performance.getEntriesByType('resource').find((e) => new URL(e.name).pathname.endsWith(path));
  const nav = performance.getEntriesByType('navigation')[0];
  const script = performance.getEntriesByType('resource').find((e) => e.initiatorType === 'script');
  return { script: script?.responseEnd ?? -1, domContentLoaded: nav?.domContentLoadedEventEnd ?? -1,
    statusStart: res('/status')?.startTime ?? -1, statusEnd: res('/status')?.responseEnd ?? -1,
    catalogStart: res('/catalog')?.startTime ?? -1, catalogEnd: res('/catalog')?.responseEnd ?? -1 };
})()`;

async function openCatalog(browser: Browser, uiUrl: string): Promise<{ page: Page; ms: number; fcp: number; steps: PaintSteps }> {
  const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US' });
  await context.addInitScript(IN_PAGE);
  const page = await context.newPage();
  await page.goto(uiUrl);
  const ms = await measured(page);
  // Paint entries are queued after the frame is presented: when the tiles are the first paint, it is not there yet.
  const fcp = await until<number>(page, `performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null`);
  return { page, ms, fcp, steps: (await page.evaluate(STEPS)) as PaintSteps };
}

/**
 * (1) Navigation start to the 'All Apps' tiles painted, each run in a fresh browser context (empty HTTP and code
 * cache: a first open); then, as `warm`, a second navigation in the same context (about:blank, then the UI again).
 */
export async function firstPaint(browser: Browser, uiUrl: string, runs: number, warmup: number): Promise<{ ms: number[]; fcp: number[]; steps: PaintSteps[]; warm: number[] }> {
  const ms: number[] = [];
  const fcp: number[] = [];
  const steps: PaintSteps[] = [];
  const warm: number[] = [];
  for (let i = 0; i < runs + warmup; i++) {
    const run = await openCatalog(browser, uiUrl);
    await run.page.goto('about:blank');
    await run.page.goto(uiUrl);
    const again = await measured(run.page);
    await run.page.context().close();
    if (i < warmup) continue;
    ms.push(run.ms);
    fcp.push(run.fcp);
    steps.push(run.steps);
    warm.push(again);
  }
  return { ms, fcp, steps, warm };
}

/**
 * (2) A keystroke in "Search apps" to the filtered tiles painted: the box holds a word but its last letter (results
 * settled), the last letter is pressed, and the clock stops when the results of the whole word are on screen and the
 * catalog is no longer busy. Every word is new to the UI's query cache, so each run asks the agent and the server.
 */
export async function searchKeystrokes(browser: Browser, uiUrl: string, runs: number, warmup: number): Promise<number[]> {
  const { page } = await openCatalog(browser, uiUrl);
  const box = page.getByRole('searchbox', { name: 'Search apps' });
  const times: number[] = [];
  // Each noun, and each without its last letter: 80 searches, none of them a query the UI has cached.
  const words = [...new Set(NOUNS.flatMap((noun) => [noun, noun.slice(0, -1)]))];
  for (let i = 0; i < runs + warmup; i++) {
    const word = words[i % words.length]!;
    const prefix = word.slice(0, -1);
    await arm(page, { kind: 'search', arg: prefix, startEvent: null });
    await box.fill(prefix);
    await measured(page);
    await arm(page, { kind: 'search', arg: word, startEvent: 'keydown' });
    await box.press(word.slice(-1));
    const ms = await measured(page);
    if (i >= warmup) times.push(ms);
    if (i + 1 >= words.length && i + 1 < runs + warmup) throw new Error(`only ${words.length} distinct search words; ask for fewer runs`);
  }
  await page.context().close();
  return times;
}

/** (3) A click on a tile to its details' level-1 heading painted, a different app each run, back to the catalog in between. */
export async function openDetails(browser: Browser, uiUrl: string, runs: number, warmup: number): Promise<number[]> {
  const { page } = await openCatalog(browser, uiUrl);
  const all = page.getByRole('region', { name: 'All Apps' });
  const names = await all.locator('.tile-name').allTextContents();
  if (names.length < runs + warmup) throw new Error(`the catalog shows ${names.length} tiles; ask for fewer runs`);
  const times: number[] = [];
  for (let i = 0; i < runs + warmup; i++) {
    const name = names[i]!;
    await arm(page, { kind: 'details', arg: name, startEvent: 'click' });
    await all.getByRole('link', { name, exact: true }).click();
    const ms = await measured(page);
    if (i >= warmup) times.push(ms);
    await arm(page, { kind: 'catalog', arg: null, startEvent: null });
    await page.getByRole('link', { name: 'All Apps' }).first().click();
    await measured(page);
  }
  await page.context().close();
  return times;
}

interface ImageCount {
  /** Image requests the page made. */
  requests: number;
  /** Of them, answered by the network (not the memory or disk cache). */
  network: number;
  distinctUrls: number;
}

/**
 * Image requests of a first and a second visit of the catalog in one browser context, counted with CDP's Network
 * domain: a request is from the network unless CDP reports it served from the cache (memory) or its response
 * fromDiskCache. A visit ends when the tiles are painted and every <img> in the viewport has loaded or failed (those below it wait for a scroll: loading=lazy).
 */
export async function imageVisits(browser: Browser, uiUrl: string): Promise<{ first: ImageCount; second: ImageCount; lazyImages: number; images: number }> {
  const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US' });
  await context.addInitScript(IN_PAGE);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  let requests = new Map<string, { url: string; network: boolean | null }>();
  cdp.on('Network.requestWillBeSent', (e) => {
    if (e.type === 'Image') requests.set(e.requestId, { url: e.request.url, network: null });
  });
  cdp.on('Network.requestServedFromCache', (e) => {
    const r = requests.get(e.requestId);
    if (r) r.network = false;
  });
  cdp.on('Network.responseReceived', (e) => {
    const r = requests.get(e.requestId);
    if (r && r.network === null) r.network = !(e.response.fromDiskCache || e.response.fromServiceWorker || e.response.fromPrefetchCache);
  });
  const visit = async (): Promise<ImageCount> => {
    requests = new Map();
    await page.goto('about:blank');
    await page.goto(uiUrl);
    await measured(page);
    await until(page, '[...document.images].filter((img) => img.getBoundingClientRect().top < innerHeight).every((img) => img.complete)');
    await page.waitForTimeout(300);
    const all = [...requests.values()];
    return { requests: all.length, network: all.filter((r) => r.network !== false).length, distinctUrls: new Set(all.map((r) => r.url)).size };
  };
  const first = await visit();
  const second = await visit();
  const [lazyImages, images] = (await page.evaluate(`[document.querySelectorAll('img[loading="lazy"]').length, document.images.length]`)) as [number, number];
  await context.close();
  return { first, second, lazyImages, images };
}
