// The outbox rules of issue 9 against a recording fake API: a refused entry is set aside alone, 401/403 stop, 5xx back off and honour Retry-After.
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../src/agent/transport/device-api-client';
import { FileStateStore } from '../../src/agent/state/file-state-store';
import { DEVICE_API_PREFIX, EventsRequestSchema, ResultsRequestSchema, type DeviceEvent } from '../../src/shared/protocol';
import type { ScriptResult } from '../../src/shared/script-result';
import { sampleResult } from '../support/sample-result';
import { enrolled, type FakeServer } from './fake-device-server';
import { FakeClock } from './scheduler-fake-clock';

const RESULTS = `${DEVICE_API_PREFIX}/results`;
const EVENTS = `${DEVICE_API_PREFIX}/events`;
const CHECKIN = `${DEVICE_API_PREFIX}/checkin`;

function result(name: string): ScriptResult {
  return sampleResult({ configurationId: 'cfg-1', scriptId: 'script-1', scriptVersion: 1, scriptName: name, stdout: `${name}\n`, endedAt: new Date().toISOString() });
}

function event(message: string): DeviceEvent {
  return { id: randomUUID(), type: 'test.note', at: new Date().toISOString(), message };
}

/** Every result and event the server took, from requests it answered with 2xx. */
function accepted(server: FakeServer, answered: Map<unknown, number>) {
  const ok = (path: string) => server.api.calls('POST', path).filter((r) => (answered.get(r) ?? 200) < 300);
  return {
    results: ok(RESULTS).flatMap((r) => ResultsRequestSchema.parse(r.body).results.map((x) => x.scriptName)),
    events: ok(EVENTS).flatMap((r) => EventsRequestSchema.parse(r.body).events),
  };
}

describe('outbox delivery', () => {
  it.each([400, 404, 409, 413, 422])('sets aside only the entry the server refuses with %i, reports it once and delivers the rest', async (status) => {
    const { server, agent, stateDir, logger } = await enrolled();
    const store = new FileStateStore(stateDir, logger);
    const poisoned = result('poisoned');
    for (const entry of [result('first'), poisoned, result('last')]) await store.putOutbox({ kind: 'result', result: entry });
    await store.putOutbox({ kind: 'event', event: event('behind the results') });
    const answered = new Map<unknown, number>();
    server.api.on('POST', RESULTS, (request) => {
      const refused = ResultsRequestSchema.parse(request.body).results.some((r) => r.executionId === poisoned.executionId);
      answered.set(request, refused ? status : 200);
      return refused ? { status, body: { error: 'refused', message: 'This result cannot be stored.' } } : { status: 200, body: { accepted: 1 } };
    });

    await agent.checkInNow();
    await agent.checkInNow();
    const got = accepted(server, answered);
    expect(got.results.sort()).toEqual(['first', 'last']);
    const reports = got.events.filter((e) => e.type === 'outbox.item_rejected');
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ data: { kind: 'result', executionId: poisoned.executionId, status } });
    expect(reports[0]!.message).toMatch(new RegExp(`^The server refused the result of run ${poisoned.executionId} \\(poisoned\\) \\(send results: server said ${status}: This result cannot be stored\\.\\);`));
    expect(got.events.map((e) => e.message)).toContain('behind the results');
    expect(await readdir(join(stateDir, 'outbox'))).toEqual([]);
    expect(await readdir(join(stateDir, 'rejected'))).toEqual([`result-${poisoned.executionId}.json`]);
    expect((await agent.getStatus()).lastCheckinError).toBeNull();
  });

  it('finds one refused result among a full batch of 100 by halving, in a few requests rather than 100', async () => {
    const { server, agent, stateDir, logger } = await enrolled();
    const store = new FileStateStore(stateDir, logger);
    const batch = Array.from({ length: 100 }, (_, i) => result(`run-${i}`));
    const poisoned = batch[37]!;
    for (const entry of batch) await store.putOutbox({ kind: 'result', result: entry });
    server.api.on('POST', RESULTS, (request) =>
      ResultsRequestSchema.parse(request.body).results.some((r) => r.executionId === poisoned.executionId)
        ? { status: 422, body: { error: 'refused', message: 'No.' } }
        : { status: 200, body: {} },
    );

    await agent.checkInNow();
    // 1 batch + 2 per halving level (7 levels for 100), and nothing is sent twice once it was taken.
    expect(server.api.calls('POST', RESULTS).length).toBeLessThanOrEqual(15);
    expect(await readdir(join(stateDir, 'outbox'))).toEqual([]);
    expect(await readdir(join(stateDir, 'rejected'))).toEqual([`result-${poisoned.executionId}.json`]);
  });

  it('stops at 401 or 403 without dropping anything and shows why as the agent error', async () => {
    for (const status of [401, 403]) {
      const { server, agent, stateDir, logger } = await enrolled();
      const store = new FileStateStore(stateDir, logger);
      for (const name of ['a', 'b']) await store.putOutbox({ kind: 'result', result: result(name) });
      await store.putOutbox({ kind: 'event', event: event('an event') });
      server.api.on('POST', RESULTS, () => ({ status, body: { error: 'refused', message: 'This device was retired.' } }));

      await agent.checkInNow();
      expect(server.api.calls('POST', RESULTS)).toHaveLength(1);
      expect(server.events()).toHaveLength(0);
      expect(await readdir(join(stateDir, 'outbox'))).toHaveLength(3);
      expect((await agent.getStatus()).lastCheckinError).toBe(`send results: server said ${status}: This device was retired.`);
    }
  });

  it('waits as long as a 503 check-in asks with Retry-After before calling again, and sends nothing meanwhile', async () => {
    const clock = new FakeClock(new Date());
    const { server, agent, stateDir, logger } = await enrolled({ clock, timeZone: () => 'UTC' });
    await new FileStateStore(stateDir, logger).putOutbox({ kind: 'result', result: result('waiting') });
    let down = true;
    const answer = server.api.routes.get(`POST ${CHECKIN}`)!;
    server.api.on('POST', CHECKIN, (request) =>
      down ? { status: 503, body: { error: 'unavailable', message: 'The database is down.' }, headers: { 'retry-after': '7200' } } : answer(request),
    );
    agent.start();
    await clock.advance(0, () => agent.idle());
    expect(server.api.calls('POST', CHECKIN)).toHaveLength(1);
    expect(server.api.calls('POST', RESULTS)).toHaveLength(0);

    // The agent's own back-off here is one hour: the server's two hours win.
    await clock.advance(2 * 3_600_000 - 1000, () => agent.idle());
    expect(server.api.calls('POST', CHECKIN)).toHaveLength(1);
    down = false;
    await clock.advance(2000, () => agent.idle());
    expect(server.api.calls('POST', CHECKIN)).toHaveLength(2);
    expect(server.results().map((r) => r.scriptName)).toEqual(['waiting']);
    await agent.stop();
  });

  it('backs off after a 503 on results, honouring an HTTP-date Retry-After', async () => {
    const clock = new FakeClock(new Date('2026-12-01T10:00:00Z'));
    const { server, agent, stateDir, logger } = await enrolled({ clock, timeZone: () => 'UTC' });
    server.nextCheckinSeconds = 60;
    await new FileStateStore(stateDir, logger).putOutbox({ kind: 'result', result: result('late') });
    let down = true;
    server.api.on('POST', RESULTS, () =>
      down ? { status: 503, body: { error: 'unavailable', message: 'Down.' }, headers: { 'retry-after': 'Tue, 01 Dec 2026 13:00:00 GMT' } } : { status: 200, body: {} },
    );
    agent.start();
    await clock.advance(0, () => agent.idle());
    down = false;
    await clock.advance(3 * 3_600_000 - 1000, () => agent.idle());
    expect(server.api.calls('POST', CHECKIN)).toHaveLength(1);
    await clock.advance(2000, () => agent.idle());
    expect(server.api.calls('POST', CHECKIN)).toHaveLength(2);
    expect(server.api.calls('POST', RESULTS)).toHaveLength(2);
    expect(await readdir(join(stateDir, 'outbox'))).toEqual([]);
    await agent.stop();
  });

  it('reads Retry-After as seconds or an HTTP date, and ignores anything else', () => {
    const now = new Date('2026-12-01T10:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Tue, 01 Dec 2026 10:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Tue, 01 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });
});
