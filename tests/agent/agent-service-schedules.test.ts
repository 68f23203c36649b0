// AgentService running kept recurring configurations on a moved clock: offline runs, replacement, restarts, crashes.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStateStore } from '../../src/agent/state/file-state-store';
import { DEVICE_API_PREFIX, EventsRequestSchema, ResultsRequestSchema } from '../../src/shared/protocol';
import type { ScheduleSpec } from '../../src/shared/schedule';
import type { ScriptResult } from '../../src/shared/script-result';
import { enrolled, type FakeServer } from './fake-device-server';
import { FakeClock } from './scheduler-fake-clock';

describe('AgentService recurring schedules', () => {
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  /** 09:00Z on the next day: near enough to now that certificates issued now are valid then. */
  const T0 = new Date(Math.floor(Date.now() / DAY) * DAY + DAY + 9 * HOUR);
  const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const dailyAt = (times: string[]): ScheduleSpec => ({ kind: 'recurring', timezone: 'utc', start: dateOf(T0.getTime()), end: dateOf(T0.getTime() + 30 * DAY), frequency: 'daily', times });
  const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs).toISOString();

  async function onMovedClock() {
    const clock = new FakeClock(T0);
    const context = await enrolled({ clock, timeZone: () => 'Europe/Berlin' });
    context.server.nextCheckinSeconds = 86_400;
    const marker = join(context.dir, 'runs');
    let agent = context.agent;
    const restart = async () => {
      await agent.stop();
      agent = context.makeAgent();
      agent.start();
      await agent.idle();
    };
    return {
      ...context,
      clock,
      marker,
      agent: () => agent,
      restart,
      advance: (ms: number) => clock.advance(ms, () => agent.idle()),
      runs: async () => (existsSync(marker) ? (await readFile(marker, 'utf8')).split('\n').filter(Boolean) : []),
      kept: async () => (JSON.parse(await readFile(join(context.stateDir, 'slices', 'schedules.json'), 'utf8')) as { data: { schedules: { configurationId: string; version: number; nextRunAt: string | null }[] } }).data.schedules,
    };
  }

  const offline = (server: FakeServer) => {
    for (const path of ['checkin', 'results', 'events']) {
      server.api.on('POST', `${DEVICE_API_PREFIX}/${path}`, () => ({ status: 503, body: { error: 'unavailable', message: 'The server is down.' } }));
    }
  };

  it('keeps a verified recurring configuration and runs it at its times, offline and long after its ticket expired', async () => {
    const t = await onMovedClock();
    t.server.configurations.push({ configurationId: 'cfg-rec', version: 1, script: `echo "run $WHO" >> ${t.marker}`, variables: { WHO: 'nightly' }, schedule: dailyAt(['09:30']) });
    await t.agent().checkInNow();
    expect(await t.kept()).toMatchObject([{ configurationId: 'cfg-rec', version: 1, nextRunAt: at(30 * 60_000) }]);
    expect(await t.runs()).toEqual([]);
    expect((await stat(join(t.stateDir, 'slices', 'schedules.json'))).mode & 0o777).toBe(0o600);

    offline(t.server);
    t.agent().start();
    await t.advance(2 * DAY + HOUR);
    expect(await t.runs()).toEqual(['run nightly', 'run nightly', 'run nightly']);
    expect(await readdir(join(t.stateDir, 'outbox'))).toHaveLength(3);
    expect(t.server.blobDownloads()).toHaveLength(1);

    const accepted: ScriptResult[] = [];
    t.server.api.on('POST', `${DEVICE_API_PREFIX}/results`, (request) => {
      accepted.push(...ResultsRequestSchema.parse(request.body).results);
      return { status: 200, body: {} };
    });
    await t.advance(HOUR);
    const byStart = accepted.map((r) => [r.configurationId, r.status, r.startedAt, r.stdout]).sort((a, b) => a[2]!.localeCompare(b[2]!));
    expect(byStart).toEqual([
      ['cfg-rec', 'completed', at(30 * 60_000), ''],
      ['cfg-rec', 'completed', at(DAY + 30 * 60_000), ''],
      ['cfg-rec', 'completed', at(2 * DAY + 30 * 60_000), ''],
    ]);
    await t.agent().stop();
  });

  it('replaces a schedule when a new version arrives and stops it when the configuration is removed', async () => {
    const t = await onMovedClock();
    t.server.configurations.push({ configurationId: 'cfg-rec', version: 1, script: `echo v1 >> ${t.marker}`, schedule: dailyAt(['09:30']) });
    await t.agent().checkInNow();
    t.server.configurations.splice(0, 1, { configurationId: 'cfg-rec', version: 2, script: `echo v2 >> ${t.marker}`, schedule: dailyAt(['09:45']) });
    await t.agent().checkInNow();
    expect(await t.kept()).toMatchObject([{ configurationId: 'cfg-rec', version: 2, nextRunAt: at(45 * 60_000) }]);

    t.agent().start();
    await t.advance(HOUR);
    expect(await t.runs()).toEqual(['v2']);

    t.server.configurations.length = 0;
    await t.agent().checkInNow();
    expect(await t.kept()).toEqual([]);
    expect(t.logger.lines.map((l) => l.message)).toContain('stopped a recurring script schedule: its configuration version is no longer assigned');
    await t.advance(DAY);
    expect(await t.runs()).toEqual(['v2']);
    await t.agent().stop();
  });

  it('neither repeats a run after a restart right after it nor bursts after being stopped across three runs', async () => {
    const t = await onMovedClock();
    t.server.configurations.push({ configurationId: 'cfg-rec', version: 1, script: `date -u +%FT%TZ >> ${t.marker}`, schedule: dailyAt(['09:30']) });
    await t.agent().checkInNow();
    t.agent().start();
    await t.advance(30 * 60_000);
    expect(await t.runs()).toHaveLength(1);

    await t.restart();
    await t.advance(10 * 60_000);
    expect(await t.runs()).toHaveLength(1);

    await t.agent().stop();
    t.clock.jump(3 * DAY);
    await t.restart();
    await t.advance(60_000);
    expect(await t.runs()).toHaveLength(2);
    expect(await t.kept()).toMatchObject([{ nextRunAt: at(4 * DAY + 30 * 60_000) }]);
    await t.advance(12 * HOUR);
    expect(await t.runs()).toHaveLength(2);
    expect(t.server.results().map((r) => r.startedAt)).toEqual([at(30 * 60_000), at(3 * DAY + 40 * 60_000)]);
    await t.agent().stop();
  });

  it('reports a scheduled run cut short by a crash as interrupted and does not run that instant again', async () => {
    const t = await onMovedClock();
    t.server.configurations.push({ configurationId: 'cfg-rec', version: 1, script: `echo ran >> ${t.marker}`, schedule: dailyAt(['09:30']) });
    await t.agent().checkInNow();
    await t.agent().stop();
    // The crash came after the journal entry was written and before the schedule's floor moved.
    const executionId = randomUUID();
    await new FileStateStore(t.stateDir, t.logger).putJournal({
      executionId,
      configurationId: 'cfg-rec',
      configurationVersion: 1,
      scriptId: 'script-cfg-rec',
      scriptVersion: 1,
      scriptName: 'Script cfg-rec',
      startedAt: at(30 * 60_000),
      scheduledFor: at(30 * 60_000),
    });
    t.clock.jump(40 * 60_000);
    await t.restart();
    await t.advance(HOUR);
    expect(await t.runs()).toEqual([]);
    expect(t.server.results()).toMatchObject([{ executionId, status: 'interrupted' }]);
    expect(await t.kept()).toMatchObject([{ nextRunAt: at(DAY + 30 * 60_000) }]);
    await t.agent().stop();
  });

  it('delivers again a recurring configuration an agent older than issue 5 skipped', async () => {
    const t = await onMovedClock();
    t.server.configurations.push({ configurationId: 'cfg-rec', version: 1, script: `echo ran >> ${t.marker}`, schedule: dailyAt(['09:30']) });
    const store = new FileStateStore(t.stateDir, t.logger);
    const old = (await store.readState())!;
    await store.writeState({ ...old, schedules: undefined, handled: [{ configurationId: 'cfg-rec', version: 1, outcome: 'skipped', ticketSha256: null, at: T0.toISOString() }] });
    const upgraded = t.makeAgent();
    await upgraded.checkInNow();
    expect(await t.kept()).toMatchObject([{ configurationId: 'cfg-rec', version: 1 }]);
  });

  it('drops a kept schedule whose cached blob no longer matches its signed hash, runs nothing, and fetches it again', async () => {
    const t = await onMovedClock();
    t.server.configurations.push({ configurationId: 'cfg-rec', version: 1, script: `echo ran >> ${t.marker}`, schedule: dailyAt(['09:30']) });
    await t.agent().checkInNow();
    await t.agent().stop();
    const [blobName] = await readdir(join(t.stateDir, 'blobs'));
    const blobPath = join(t.stateDir, 'blobs', blobName!);
    const blob = await readFile(blobPath);
    blob[blob.length - 1]! ^= 1;
    await writeFile(blobPath, blob);

    await t.restart();
    await t.advance(31 * 60_000);
    expect(await t.runs()).toEqual([]);
    const [event] = t.server.events().flatMap((post) => EventsRequestSchema.parse(post.body).events);
    expect(event).toMatchObject({ type: 'ticket.rejected', data: { configurationId: 'cfg-rec', code: 'blob_hash_mismatch' } });
    await t.agent().checkInNow();
    expect(t.server.blobDownloads()).toHaveLength(2);
    expect(await t.kept()).toMatchObject([{ configurationId: 'cfg-rec', nextRunAt: at(DAY + 30 * 60_000) }]);
    await t.agent().stop();
  });
});
