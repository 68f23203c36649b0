// The agent's copy of the catalog: answered like the server pages and searches, trusted only while current.
import { describe, expect, it } from 'vitest';
import { CatalogSnapshot, MAX_SNAPSHOT_APPS, SNAPSHOT_MAX_AGE_MS, SNAPSHOT_RETRY_MS, type FetchCatalogPage } from '../../src/agent/apps/catalog-snapshot';
import type { AppSummary, CatalogQuery } from '../../src/shared/catalog-protocol';
import { recordingLogger } from './agent-test-kit';
import { FakeClock } from './scheduler-fake-clock';

const OWNER = 'https://mdm.example.com device-1';

function summary(i: number, fields: Partial<AppSummary> = {}): AppSummary {
  return {
    id: `app-${String(i).padStart(4, '0')}`,
    name: `App ${String(i).padStart(4, '0')}`,
    publisher: i % 2 === 0 ? 'Even Works' : 'Odd Labs',
    category: i % 3 === 0 ? 'Design' : 'Productivity',
    version: '1.0',
    shortDescription: i === 7 ? 'Keeps your Zebra notes' : 'Does things',
    type: 'pkg',
    priority: 'normal',
    featured: false,
    icon: null,
    rating: { average: null, count: 0 },
    installState: 'not_installed',
    ...fields,
  };
}

/** A server of `apps` in name order, paging as the device API does; it counts the pages it was asked for. */
function pagedServer(apps: AppSummary[]) {
  const asked: CatalogQuery[] = [];
  const fetchPage: FetchCatalogPage = async (query) => {
    asked.push(query);
    return { apps: apps.slice(query.offset, query.offset + query.limit), page: { limit: query.limit, offset: query.offset, total: apps.length }, categories: ['Design', 'Productivity'] };
  };
  return { asked, fetchPage };
}

async function loaded(snapshot: CatalogSnapshot, fetchPage: FetchCatalogPage): Promise<void> {
  snapshot.load(OWNER, fetchPage);
  for (let i = 0; i < 50 && snapshot.answer(OWNER, { limit: 1, offset: 0 }) === null; i++) await new Promise((r) => setTimeout(r, 1));
}

const start = new Date('2026-12-01T10:00:00Z');

describe('the catalog copy', () => {
  it('copies every page once and answers search, category and paging from it', async () => {
    const snapshot = new CatalogSnapshot(new FakeClock(start), recordingLogger());
    const server = pagedServer(Array.from({ length: 250 }, (_, i) => summary(i)));
    expect(snapshot.answer(OWNER, { limit: 60, offset: 0 })).toBeNull();
    await loaded(snapshot, server.fetchPage);
    expect(server.asked.map((q) => q.offset)).toEqual([0, 100, 200]);

    const design = snapshot.answer(OWNER, { category: 'Design', limit: 10, offset: 10 })!;
    expect(design.page).toEqual({ limit: 10, offset: 10, total: 84 });
    expect(design.apps.map((a) => a.id)[0]).toBe('app-0030');
    expect(snapshot.answer(OWNER, { search: '  ZEBRA ', limit: 60, offset: 0 })!.apps.map((a) => a.id)).toEqual(['app-0007']);
    expect(snapshot.answer(OWNER, { search: 'odd labs', category: 'Design', limit: 100, offset: 0 })!.page.total).toBe(42);
    expect(snapshot.answer(OWNER, { search: 'nothing like it', limit: 60, offset: 0 })).toMatchObject({ apps: [], page: { total: 0 }, categories: ['Design', 'Productivity'] });
    expect(server.asked).toHaveLength(3);
  });

  it('is not used for another device, after invalidate, or once older than its maximum age', async () => {
    const clock = new FakeClock(start);
    const snapshot = new CatalogSnapshot(clock, recordingLogger());
    const server = pagedServer([summary(1)]);
    await loaded(snapshot, server.fetchPage);
    expect(snapshot.answer('https://other.example.com device-1', { limit: 1, offset: 0 })).toBeNull();
    clock.jump(SNAPSHOT_MAX_AGE_MS + 1);
    expect(snapshot.answer(OWNER, { limit: 1, offset: 0 })).toBeNull();
    await loaded(snapshot, server.fetchPage);
    snapshot.invalidate();
    expect(snapshot.answer(OWNER, { limit: 1, offset: 0 })).toBeNull();
  });

  it('drops a copy whose load began before an invalidate', async () => {
    const snapshot = new CatalogSnapshot(new FakeClock(start), recordingLogger());
    let release: () => void = () => undefined;
    const slow: FetchCatalogPage = async (query) => {
      await new Promise<void>((resolve) => (release = resolve));
      return pagedServer([summary(1)]).fetchPage(query);
    };
    snapshot.load(OWNER, slow);
    snapshot.invalidate();
    release();
    await new Promise((r) => setTimeout(r, 5));
    expect(snapshot.answer(OWNER, { limit: 1, offset: 0 })).toBeNull();
  });

  it('refuses a catalog that changed while it was paged, and waits before it tries again', async () => {
    const clock = new FakeClock(start);
    const logger = recordingLogger();
    const snapshot = new CatalogSnapshot(clock, logger);
    const apps = Array.from({ length: 150 }, (_, i) => summary(i));
    const shifting: FetchCatalogPage = async (query) => {
      const page = await pagedServer(apps).fetchPage(query);
      apps.unshift(summary(900 + apps.length));
      return page;
    };
    snapshot.load(OWNER, shifting);
    await new Promise((r) => setTimeout(r, 5));
    expect(snapshot.answer(OWNER, { limit: 1, offset: 0 })).toBeNull();
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', fields: { reason: expect.stringMatching(/changed while it was copied/) } }));
    const server = pagedServer([summary(1)]);
    snapshot.load(OWNER, server.fetchPage);
    expect(server.asked).toEqual([]);
    clock.jump(SNAPSHOT_RETRY_MS);
    await loaded(snapshot, server.fetchPage);
    expect(snapshot.answer(OWNER, { limit: 1, offset: 0 })!.apps).toHaveLength(1);
  });

  it('does not copy a catalog larger than its limit', async () => {
    const snapshot = new CatalogSnapshot(new FakeClock(start), recordingLogger());
    const server = pagedServer(Array.from({ length: MAX_SNAPSHOT_APPS + 1 }, (_, i) => summary(i)));
    snapshot.load(OWNER, server.fetchPage);
    await new Promise((r) => setTimeout(r, 5));
    expect(server.asked).toHaveLength(1);
    expect(snapshot.answer(OWNER, { limit: 1, offset: 0 })).toBeNull();
  });

  it("keeps this agent's install states current in the copy", async () => {
    const snapshot = new CatalogSnapshot(new FakeClock(start), recordingLogger());
    await loaded(snapshot, pagedServer([summary(1), summary(2)]).fetchPage);
    snapshot.setInstallState('app-0002', 'installed');
    expect(snapshot.answer(OWNER, { limit: 10, offset: 0 })!.apps.map((a) => a.installState)).toEqual(['not_installed', 'installed']);
  });
});
