// The scheduler on a hand-moved clock: on-time runs, one catch-up for missed runs, clock jumps, zone changes, restarts.
import { describe, expect, it } from 'vitest';
import type { AgentState, ScheduledConfiguration } from '../../src/agent/core/agent-state';
import { schedulesOf, withScheduleRun } from '../../src/agent/delivery/scheduled-configurations';
import { MAX_WAKE_INTERVAL_MS, Scheduler, usableTimeZone, withPlannedRun } from '../../src/agent/schedule/scheduler';
import type { RecurringSchedule } from '../../src/shared/schedule';
import type { TicketClaims } from '../../src/shared/ticket';
import { recordingLogger } from './agent-test-kit';
import { FakeClock } from './scheduler-fake-clock';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function claimsFor(configurationId: string, schedule: RecurringSchedule): TicketClaims {
  return {
    iss: 'tenant-1',
    aud: 'device-1',
    jti: '00000000-0000-4000-8000-000000000000',
    iat: 0,
    exp: 1,
    seq: 1,
    configurationId,
    configurationVersion: 1,
    script: { id: 'script-1', version: 1, name: 'Nightly', interpreter: 'bash', runAsRoot: false },
    blob: { path: '/api/device/v1/blobs/b', sha256: '0'.repeat(64), size: 29, key: 'A'.repeat(43) },
    limits: { maxRunTimeSeconds: 60, maxResponseSizeKb: 1 },
    schedule,
    variables: {},
  };
}

const daily = (times: string[], timezone: 'utc' | 'device' = 'utc'): RecurringSchedule => ({
  kind: 'recurring',
  timezone,
  start: '2026-01-01',
  end: '2026-12-31',
  frequency: 'daily',
  times,
});

/**
 * The durable side of the scheduler as the agent service provides it: the kept configurations (surviving "restarts",
 * i.e. new Scheduler instances), serialized tasks, and runs that move the floor exactly as the agent does.
 */
class FakeHost {
  readonly logger = recordingLogger();
  readonly runs: { configurationId: string; scheduledFor: string; startedAt: string }[] = [];
  zone = 'Europe/Berlin';
  private state = { schedules: [] as ScheduledConfiguration[] } as unknown as AgentState;
  private chain: Promise<void> = Promise.resolve();

  constructor(readonly clock: FakeClock) {}

  keep(configurationId: string, schedule: RecurringSchedule): void {
    const entry: ScheduledConfiguration = {
      configurationId,
      version: 1,
      claims: claimsFor(configurationId, schedule),
      receivedAt: this.clock.now().toISOString(),
      lastRunAt: null,
      lastScheduledFor: null,
      nextRunAt: null,
      timeZone: this.zone,
    };
    this.state = { ...this.state, schedules: [...schedulesOf(this.state), withPlannedRun(entry, usableTimeZone(this.zone))] };
  }

  entry(configurationId: string): ScheduledConfiguration {
    return schedulesOf(this.state).find((s) => s.configurationId === configurationId)!;
  }

  scheduler(): Scheduler {
    return new Scheduler({
      clock: this.clock,
      logger: this.logger,
      timeZone: () => this.zone,
      exclusive: (task) => (this.chain = this.chain.then(task)),
      schedules: async () => schedulesOf(this.state),
      updateSchedules: async (change) => {
        this.state = { ...this.state, schedules: change(schedulesOf(this.state)) };
      },
      run: async (entry, scheduledFor) => {
        const startedAt = this.clock.now();
        this.state = withScheduleRun(this.state, entry, scheduledFor, startedAt);
        this.runs.push({ configurationId: entry.configurationId, scheduledFor: scheduledFor.toISOString(), startedAt: startedAt.toISOString() });
      },
    });
  }

  settle = async (): Promise<void> => {
    let current: Promise<void>;
    do {
      current = this.chain;
      await current;
    } while (current !== this.chain);
  };

  messages(): string[] {
    return this.logger.lines.map((line) => line.message);
  }
}

function setup(start: string) {
  const clock = new FakeClock(new Date(start));
  const host = new FakeHost(clock);
  return { clock, host, advance: (ms: number) => clock.advance(ms, host.settle) };
}

describe('Scheduler', () => {
  it('runs at each planned instant, once, and sleeps at most a minute at a time', async () => {
    const { clock, host, advance } = setup('2026-06-01T09:00:00Z');
    host.keep('cfg-1', daily(['09:30']));
    const scheduler = host.scheduler();
    scheduler.start();
    await advance(29 * 60_000);
    expect(host.runs).toEqual([]);
    await advance(60_000);
    expect(host.runs).toEqual([{ configurationId: 'cfg-1', scheduledFor: '2026-06-01T09:30:00.000Z', startedAt: '2026-06-01T09:30:00.000Z' }]);
    expect(host.entry('cfg-1').nextRunAt).toBe('2026-06-02T09:30:00.000Z');
    await advance(DAY);
    expect(host.runs.map((r) => r.startedAt)).toEqual(['2026-06-01T09:30:00.000Z', '2026-06-02T09:30:00.000Z']);
    scheduler.stop();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('collapses three runs missed while the agent was stopped into one catch-up, then runs on time', async () => {
    const { clock, host, advance } = setup('2026-06-01T09:00:00Z');
    host.keep('cfg-1', daily(['09:30']));
    const before = host.scheduler();
    before.start();
    await advance(HOUR);
    before.stop();
    expect(host.runs).toHaveLength(1);

    // Stopped from 10:00 on the 1st to 12:00 on the 4th: the runs of the 2nd, 3rd and 4th are missed.
    clock.jump(3 * DAY + 2 * HOUR);
    const after = host.scheduler();
    after.start();
    await advance(10 * 60_000);
    expect(host.runs.slice(1)).toEqual([{ configurationId: 'cfg-1', scheduledFor: '2026-06-02T09:30:00.000Z', startedAt: '2026-06-04T12:00:00.000Z' }]);
    expect(host.messages()).toContain('starting one catch-up run for missed scheduled runs');
    expect(host.entry('cfg-1').nextRunAt).toBe('2026-06-05T09:30:00.000Z');

    await advance(DAY);
    expect(host.runs.map((r) => r.startedAt)).toEqual(['2026-06-01T09:30:00.000Z', '2026-06-04T12:00:00.000Z', '2026-06-05T09:30:00.000Z']);
    after.stop();
  });

  it('notices a jump of the wall clock while running (sleep) and makes one catch-up within a minute', async () => {
    const { clock, host, advance } = setup('2026-06-01T10:00:00Z');
    host.keep('cfg-1', daily(['09:30', '21:30']));
    const scheduler = host.scheduler();
    scheduler.start();
    await advance(60_000);
    // The Mac sleeps 2 days: the monotonic clock stands still, the wall clock does not. Four runs are missed.
    clock.jump(2 * DAY);
    await advance(MAX_WAKE_INTERVAL_MS);
    expect(host.messages()).toContain('the wall clock jumped; replanning scheduled scripts');
    expect(host.runs).toEqual([{ configurationId: 'cfg-1', scheduledFor: '2026-06-01T21:30:00.000Z', startedAt: '2026-06-03T10:02:00.000Z' }]);
    expect(host.entry('cfg-1').nextRunAt).toBe('2026-06-03T21:30:00.000Z');
    await advance(12 * HOUR);
    expect(host.runs.map((r) => r.scheduledFor)).toEqual(['2026-06-01T21:30:00.000Z', '2026-06-03T21:30:00.000Z']);
    scheduler.stop();
  });

  it('does not repeat a run when the wall clock is set back past it', async () => {
    const { clock, host, advance } = setup('2026-06-01T09:00:00Z');
    host.keep('cfg-1', daily(['09:30']));
    const scheduler = host.scheduler();
    scheduler.start();
    await advance(40 * 60_000);
    expect(host.runs).toHaveLength(1);
    clock.jump(-2 * HOUR);
    await advance(3 * HOUR);
    expect(host.messages()).toContain('the wall clock jumped; replanning scheduled scripts');
    expect(host.runs).toHaveLength(1);
    await advance(DAY);
    expect(host.runs.map((r) => r.scheduledFor)).toEqual(['2026-06-01T09:30:00.000Z', '2026-06-02T09:30:00.000Z']);
    scheduler.stop();
  });

  it('replans a device-time schedule in the new zone when the device zone changes', async () => {
    const { host, advance } = setup('2026-06-01T06:00:00Z');
    host.zone = 'Europe/Paris';
    host.keep('cfg-1', daily(['09:00'], 'device'));
    host.keep('cfg-utc', daily(['12:00'], 'utc'));
    const scheduler = host.scheduler();
    scheduler.start();
    await advance(2 * HOUR);
    expect(host.runs.map((r) => r.startedAt)).toEqual(['2026-06-01T07:00:00.000Z']);
    expect(host.entry('cfg-1').nextRunAt).toBe('2026-06-02T07:00:00.000Z');

    // Flying west: 09:00 in New York is still ahead today, and runs then; the UTC schedule does not move.
    host.zone = 'America/New_York';
    await advance(MAX_WAKE_INTERVAL_MS);
    expect(host.messages()).toContain('the device time zone changed; replanning scheduled scripts');
    expect(host.entry('cfg-1')).toMatchObject({ nextRunAt: '2026-06-01T13:00:00.000Z', timeZone: 'America/New_York' });
    expect(host.entry('cfg-utc')).toMatchObject({ nextRunAt: '2026-06-01T12:00:00.000Z', timeZone: 'America/New_York' });
    await advance(6 * HOUR);
    expect(host.runs.map((r) => `${r.configurationId} ${r.startedAt}`)).toEqual([
      'cfg-1 2026-06-01T07:00:00.000Z',
      'cfg-utc 2026-06-01T12:00:00.000Z',
      'cfg-1 2026-06-01T13:00:00.000Z',
    ]);
    scheduler.stop();
  });

  it('does not repeat a run after a restart right after it', async () => {
    const { host, advance } = setup('2026-06-01T09:29:00Z');
    host.keep('cfg-1', daily(['09:30']));
    const first = host.scheduler();
    first.start();
    await advance(60_000);
    first.stop();
    expect(host.runs).toHaveLength(1);
    const second = host.scheduler();
    second.start();
    await advance(5 * 60_000);
    expect(host.runs).toHaveLength(1);
    second.stop();
  });

  it.each([
    ['in the spring-forward gap runs once, an hour later', '2026-03-28T12:00:00Z', ['2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z']],
    ['in the repeated fall-back hour runs once, at its first occurrence', '2026-10-24T12:00:00Z', ['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']],
  ])('a device-time 02:30 in Berlin %s', async (_name, start, expected) => {
    const { host, advance } = setup(start);
    host.keep('cfg-1', daily(['02:30'], 'device'));
    const scheduler = host.scheduler();
    scheduler.start();
    await advance(2 * DAY);
    expect(host.runs.map((r) => r.startedAt)).toEqual(expected);
    scheduler.stop();
  });

  it('runs several configurations due at one wake in the order their runs fell', async () => {
    const { clock, host, advance } = setup('2026-06-01T08:00:00Z');
    host.keep('cfg-late', daily(['09:40']));
    host.keep('cfg-early', daily(['09:10']));
    clock.jump(2 * HOUR);
    const scheduler = host.scheduler();
    scheduler.start();
    await advance(0);
    expect(host.runs.map((r) => r.configurationId)).toEqual(['cfg-early', 'cfg-late']);
    scheduler.stop();
  });

  it('stops planning an ended schedule and plans in UTC when the device reports an unknown zone', async () => {
    const { host, advance } = setup('2026-12-31T23:00:00Z');
    host.zone = 'Not/AZone';
    host.keep('cfg-1', daily(['23:30'], 'device'));
    const scheduler = host.scheduler();
    scheduler.start();
    await advance(2 * HOUR);
    expect(host.runs.map((r) => r.startedAt)).toEqual(['2026-12-31T23:30:00.000Z']);
    expect(host.entry('cfg-1').nextRunAt).toBeNull();
    expect(host.logger.lines.filter((l) => l.message === 'the device time zone is unknown; scheduling in UTC')).toHaveLength(1);
    scheduler.stop();
  });
});
