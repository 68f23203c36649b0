// Runs kept recurring script configurations at their instants (DESIGN.md §5): one catch-up for missed runs, jumps noticed.
import { isKnownTimeZone, nextRunAtOrAfter } from '../../shared/schedule-math';
import type { RecurringSchedule } from '../../shared/schedule';
import type { ScheduledConfiguration } from '../core/agent-state';
import type { Clock, Logger } from '../core/ports';

/** The device's current IANA time zone; read again at every computation, so a change takes effect at the next one. */
export type DeviceTimeZone = () => string;

/**
 * Longest sleep between two looks at the clock.
 *
 * Timers run on a monotonic clock that stops while a Mac sleeps and ignores manual clock changes, so a timer set for
 * the next run can fire hours late. Waking at least this often bounds how late a run (or its catch-up) starts.
 */
export const MAX_WAKE_INTERVAL_MS = 60_000;
/** A wake-up this far from when its timer was due means the wall clock jumped (sleep, manual change). */
export const CLOCK_JUMP_TOLERANCE_MS = 5_000;

/**
 * The first run of `entry` not yet run: at or after it arrived, and after its last run.
 *
 * The floor includes the wall time the last run started, so a clock set back never makes the agent run an instant
 * again; after missed runs the first missed one is returned, which is due at once: that is the single catch-up.
 */
export function plannedRun(entry: ScheduledConfiguration, zone: string): Date | null {
  const afterLast = (iso: string | null) => (iso === null ? Number.NEGATIVE_INFINITY : Date.parse(iso) + 1);
  const floor = Math.max(Date.parse(entry.receivedAt), afterLast(entry.lastRunAt), afterLast(entry.lastScheduledFor));
  return nextRunAtOrAfter(entry.claims.schedule as RecurringSchedule, new Date(floor), zone);
}

/** The zone to plan in: the one the device reports, or UTC when it reports one this runtime does not know. */
export function usableTimeZone(reported: string): string {
  return isKnownTimeZone(reported) ? reported : 'UTC';
}

/** `entry` with its next run planned in the device zone `zone`. */
export function withPlannedRun(entry: ScheduledConfiguration, zone: string): ScheduledConfiguration {
  return { ...entry, nextRunAt: plannedRun(entry, zone)?.toISOString() ?? null, timeZone: zone };
}

/** What the scheduler needs from the agent service. */
export interface SchedulerHost {
  clock: Clock;
  logger: Logger;
  timeZone: DeviceTimeZone;
  /** Runs `task` after, and before, everything else that touches the agent state. */
  exclusive(task: () => Promise<void>): Promise<void>;
  /** The kept configurations as durably stored; empty when the device is not enrolled. */
  schedules(): Promise<ScheduledConfiguration[]>;
  /** Replaces the kept configurations with `change` applied and writes them durably before resolving. */
  updateSchedules(change: (entries: ScheduledConfiguration[]) => ScheduledConfiguration[]): Promise<void>;
  /** Runs `entry` for the run instant `scheduledFor`, moving its floor past that instant durably before the script starts. */
  run(entry: ScheduledConfiguration, scheduledFor: Date): Promise<void>;
}

/**
 * Wakes at the next planned run (at least every MAX_WAKE_INTERVAL_MS), runs what is due, one run per configuration per
 * wake, and replans every kept configuration in the device's current zone.
 */
export class Scheduler {
  private running = false;
  private cancelTimer: (() => void) | null = null;
  /** Wall time of the earliest planned run, as of the last wake. */
  private nextRunMs: number | null = null;
  /** The last zone the device reported that was not a known one, so it is warned about once. */
  private unknownZone: string | null = null;

  constructor(private readonly host: SchedulerHost) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.arm(0);
  }

  stop(): void {
    this.running = false;
    this.cancelTimer?.();
    this.cancelTimer = null;
  }

  /** Looks at the schedules now: they changed (a check-in) or the caller knows time moved (the Mac woke). */
  wake(): void {
    if (this.running) this.arm(0);
  }

  private arm(delayMs: number): void {
    this.cancelTimer?.();
    const { clock } = this.host;
    // Compared with the wall time the timer really fires at: the difference is how far the wall clock jumped.
    const expectedWakeMs = clock.now().getTime() + delayMs;
    this.cancelTimer = clock.schedule(delayMs, () => {
      this.cancelTimer = null;
      const jumpedMs = clock.now().getTime() - expectedWakeMs;
      void this.host.exclusive(async () => {
        try {
          await this.tick(jumpedMs);
        } catch (error) {
          // A failing wake (disk full, a bug) must not end scheduling: the next wake tries again.
          this.host.logger.error('a scheduler wake failed', { reason: error instanceof Error ? error.message : String(error) });
        }
        if (this.running && this.cancelTimer === null) this.arm(this.delayToNextRun());
      });
    });
  }

  private delayToNextRun(): number {
    const nowMs = this.host.clock.now().getTime();
    const next = this.nextRunMs ?? nowMs + MAX_WAKE_INTERVAL_MS;
    return Math.max(0, Math.min(next - nowMs, MAX_WAKE_INTERVAL_MS));
  }

  /** One wake: notice jumps and zone changes, run what is due, replan, and remember when the next run is. */
  private async tick(jumpedMs: number): Promise<void> {
    this.nextRunMs = null;
    if (!this.running) return;
    const { logger } = this.host;
    if (Math.abs(jumpedMs) > CLOCK_JUMP_TOLERANCE_MS) {
      logger.warn('the wall clock jumped; replanning scheduled scripts', { jumpedSeconds: Math.round(jumpedMs / 1000) });
    }
    const zone = this.currentZone();
    const now = this.host.clock.now();
    let entries = await this.host.schedules();
    const plannedIn = [...new Set(entries.map((entry) => entry.timeZone).filter((planned) => planned !== zone))];
    if (plannedIn.length > 0) logger.info('the device time zone changed; replanning scheduled scripts', { from: plannedIn.join(', '), to: zone });
    let planned = entries.map((entry) => withPlannedRun(entry, zone));
    const due = planned.filter((entry) => entry.nextRunAt !== null && Date.parse(entry.nextRunAt) <= now.getTime());
    // Earliest first; each configuration runs once however many of its runs were missed: that is the catch-up.
    for (const entry of due.sort((a, b) => Date.parse(a.nextRunAt!) - Date.parse(b.nextRunAt!))) {
      const scheduledFor = new Date(entry.nextRunAt!);
      const late = now.getTime() - scheduledFor.getTime() > MAX_WAKE_INTERVAL_MS;
      logger.info(late ? 'starting one catch-up run for missed scheduled runs' : 'starting a scheduled run', {
        configurationId: entry.configurationId,
        scheduledFor: entry.nextRunAt,
      });
      await this.host.run(entry, scheduledFor);
    }
    if (due.length > 0) {
      entries = await this.host.schedules();
      planned = entries.map((entry) => withPlannedRun(entry, zone));
    }
    if (planned.some((entry, i) => entry.nextRunAt !== entries[i]!.nextRunAt || entry.timeZone !== entries[i]!.timeZone)) {
      await this.host.updateSchedules((current) => current.map((entry) => withPlannedRun(entry, zone)));
    }
    const upcoming = planned.flatMap((entry) => (entry.nextRunAt === null ? [] : [Date.parse(entry.nextRunAt)]));
    this.nextRunMs = upcoming.length === 0 ? null : Math.min(...upcoming);
  }

  /** The device zone, or UTC (with a warning, once per bad value) when the device reports one it does not know. */
  private currentZone(): string {
    const reported = this.host.timeZone();
    const zone = usableTimeZone(reported);
    if (zone === reported) return zone;
    if (reported !== this.unknownZone) this.host.logger.warn('the device time zone is unknown; scheduling in UTC', { timeZone: reported });
    this.unknownZone = reported;
    return zone;
  }
}
