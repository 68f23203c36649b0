// The calls sent as the window opens: each answer is handed to the query cache once, a slow agent does not hold up
// the first render past its wait, and a failed call reaches whoever takes it without an unhandled rejection.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { queryKeys, startFirstQueries, startPath } from '../../src/renderer/shell/agent-queries';
import { createQueryClient } from '../../src/renderer/shell/app-providers';
import { CATALOG_PAGE_SIZE } from '../../src/renderer/shell/catalog-request';
import { sendFirstCalls } from '../../src/renderer/shell/first-calls';
import { FakeAgentService, makeStatus } from '../support/fake-agent-service';

afterEach(() => vi.useRealTimers());

describe('the first calls', () => {
  it('asks for the status, the first catalog page and the onboarding as the query asks for it, once each', async () => {
    const agent = new FakeAgentService();
    const first = sendFirstCalls(agent);
    expect(agent.calls).toEqual([
      { method: 'getStatus', args: [] },
      { method: 'getCatalog', args: [{ search: undefined, category: undefined, limit: CATALOG_PAGE_SIZE, offset: 0 }] },
      { method: 'getOnboarding', args: [] },
    ]);
    await first.settled(1_000);
    expect(first.status.answer()).toEqual(agent.status);
    expect(first.catalog.answer()?.page.total).toBe(1);
    expect(first.onboarding.answer()).toBeNull();
    const taken = first.status.take();
    expect(await taken).toEqual(agent.status);
    expect(first.status.take()).toBeNull();
  });

  it('stops waiting for a slow agent after the given time', async () => {
    vi.useFakeTimers();
    const agent = new FakeAgentService();
    vi.spyOn(agent, 'getStatus').mockReturnValue(new Promise(() => undefined));
    const first = sendFirstCalls(agent);
    let settled = false;
    void first.settled(150).then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(149);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(settled).toBe(true);
    expect(first.status.answer()).toBeUndefined();
    expect(startPath(first)).toBe('/');
  });

  it('hands a failure to whoever takes the call, and none to the process when nobody does', async () => {
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const agent = new FakeAgentService();
      agent.failure = new Error('The agent is not running.');
      const first = sendFirstCalls(agent);
      await first.settled(1_000);
      expect(first.status.answer()).toBeUndefined();
      await expect(first.catalog.take()).rejects.toThrow('The agent is not running.');
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});

describe('the query cache at start', () => {
  it('holds the answers that have arrived before the first render, and opens on Apps@Work for an enrolled Mac', async () => {
    const agent = new FakeAgentService(makeStatus({ enrolled: true }));
    const first = sendFirstCalls(agent);
    await first.settled(1_000);
    const client = createQueryClient();
    startFirstQueries(client, agent, first);
    expect(client.getQueryData(queryKeys.status)).toEqual(agent.status);
    expect(client.getQueryData(queryKeys.catalog('', ''))).toMatchObject({ pageParams: [0], pages: [{ page: { total: 1 } }] });
    expect(client.getQueryData(queryKeys.onboarding)).toBeNull();
    expect(startPath(first)).toBe('/apps');
    expect(agent.calls).toHaveLength(3);
  });

  it('opens on registration for a Mac not enrolled', async () => {
    const first = sendFirstCalls(new FakeAgentService(makeStatus({ enrolled: false })));
    await first.settled(1_000);
    expect(startPath(first)).toBe('/register');
  });

  it('takes a call still under way instead of asking again, and asks the agent on the next fetch', async () => {
    const agent = new FakeAgentService();
    let answer: (status: typeof agent.status) => void = () => undefined;
    vi.spyOn(agent, 'getStatus').mockReturnValueOnce(new Promise((resolve) => (answer = resolve)));
    const first = sendFirstCalls(agent);
    const client = createQueryClient();
    startFirstQueries(client, agent, first);
    answer(makeStatus({ deviceId: 'dev-early' }));
    await vi.waitFor(() => expect(client.getQueryData(queryKeys.status)).toMatchObject({ deviceId: 'dev-early' }));
    await client.refetchQueries({ queryKey: queryKeys.status });
    expect(client.getQueryData(queryKeys.status)).toEqual(agent.status);
    expect(agent.getStatus).toHaveBeenCalledTimes(2);
  });
});
