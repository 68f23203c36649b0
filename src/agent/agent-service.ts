// The agent core's service: enrollment, the check-in loop, script delivery, scheduled runs, result reporting, and the status its UIs show.
import type { KeyObject } from 'node:crypto';
import type { AgentServiceApi, AgentStatus } from '../shared/agent-status';
import type { CheckinResponse } from '../shared/protocol';
import type { AgentState, JournalEntry, ScheduledConfiguration } from './agent-state';
import type { ScriptUserSource } from './console-user';
import { DeviceApiClient, normalizeServerUrl } from './device-api-client';
import { deviceFacts, generateDeviceKey, privateKeyFromPem, privateKeyToPem, publicJwkOf, AGENT_VERSION } from './device-identity';
import { flushOutbox } from './outbox-sender';
import type { AgentPorts } from './ports';
import { acceptRevocationList } from './replay-record';
import { verifyRevocationList } from './revocation-list';
import { interruptedResult, summarize, withRecentRun } from './run-records';
import { schedulesOf, unassignedSchedules, withoutSchedule, withScheduleRun } from './scheduled-configurations';
import { Scheduler, type DeviceTimeZone } from './scheduler';
import { deliverScript, findHandled, needsDelivery, runScheduled, withHandled, type DeliveryContext, type RunContext } from './script-delivery';
import { ScriptRunner, type RunAsUser } from './script-runner';
import { systemTimeZone } from './system-time-zone';

/** Longest wait between check-ins whatever the server says, so a bad answer cannot silence a device for good. */
const MAX_CHECKIN_INTERVAL_MS = 24 * 3600 * 1000;

export interface AgentOptions {
  /** Who runs scripts that are not "Run as root" when the agent runs as root. */
  runAsUser?: RunAsUser;
  /** Where that user comes from when it is not fixed: the Mac's console user by default, or a configured account. */
  scriptUsers?: ScriptUserSource;
  /** Parent of the per-run script working folders; the OS temp folder by default. */
  scriptTempRoot?: string;
  /** Wait after the first failed check-in (default 5 s); it doubles with each further failure. */
  firstRetryDelayMs?: number;
  /** Longest wait after failed check-ins (default 5 min). */
  maxRetryDelayMs?: number;
  /** The device's time zone for "device" schedules (default: the machine's, read afresh at each computation). */
  timeZone?: DeviceTimeZone;
}

export class AgentService implements AgentServiceApi {
  private readonly runner: ScriptRunner;
  private readonly scheduler: Scheduler;
  private readonly timeZone: DeviceTimeZone;
  private readonly listeners = new Set<(status: AgentStatus) => void>();
  private state: AgentState | null = null;
  private stateLoaded = false;
  private deviceKey: KeyObject | null = null;
  /** Every check-in cycle runs on this chain, one at a time. */
  private busy: Promise<void> = Promise.resolve();
  private running = false;
  private cancelTimer: (() => void) | null = null;
  private failedCheckins = 0;
  private journalRecovered = false;
  /** Why the last check-in could not even start (no enrollment, unusable state); otherwise the state holds the error. */
  private cycleError: string | null = null;

  constructor(
    private readonly ports: AgentPorts,
    private readonly options: AgentOptions = {},
  ) {
    this.runner = new ScriptRunner({
      spawner: ports.spawner,
      clock: ports.clock,
      logger: ports.logger,
      tempRoot: options.scriptTempRoot,
      runAsUser: options.runAsUser,
      userSource: options.scriptUsers,
    });
    this.timeZone = options.timeZone ?? systemTimeZone;
    this.scheduler = new Scheduler({
      clock: ports.clock,
      logger: ports.logger,
      timeZone: this.timeZone,
      exclusive: (task) => this.exclusive(task),
      schedules: () => this.keptSchedules(),
      updateSchedules: (change) => this.update((s) => ({ ...s, schedules: change(schedulesOf(s)) })),
      run: (entry, scheduledFor) => this.runScheduledAndReport(entry, scheduledFor),
    });
  }

  async isEnrolled(): Promise<boolean> {
    return (await this.loadState()) !== null;
  }

  /** Generates the P-256 device key (private key never leaves the secret store), enrolls with user + PIN, pins the root. */
  async enroll(params: { serverUrl: string; username: string; pin: string }): Promise<{ deviceId: string }> {
    const existing = await this.loadState();
    if (existing !== null) throw new Error(`this device is already enrolled with ${existing.serverUrl} as ${existing.deviceId}; retire it before enrolling again`);
    const serverUrl = normalizeServerUrl(params.serverUrl);
    const key = generateDeviceKey();
    // Stored before the server hears of it: a device the server enrolled must never lose its key.
    await this.ports.secrets.writeDeviceKeyPem(privateKeyToPem(key));
    const api = new DeviceApiClient(this.ports.http, this.ports.clock, serverUrl, key);
    const answer = await api.enroll({ method: 'pin', username: params.username, pin: params.pin, publicKey: publicJwkOf(key), device: deviceFacts() });
    const state: AgentState = {
      serverUrl,
      deviceId: answer.deviceId,
      tenantId: answer.tenantId,
      tenantRootCertificate: answer.tenantRootCertificate,
      agentConfig: answer.agentConfig,
      enrolledAt: this.ports.clock.now().toISOString(),
      lastCheckinAt: null,
      lastCheckinError: null,
      nextCheckinAt: null,
      replay: { highestSeq: 0, jtis: [] },
      handled: [],
      schedules: [],
      recentRuns: [],
    };
    await this.ports.state.writeState(state);
    this.state = state;
    this.deviceKey = key;
    this.ports.logger.info('enrolled', { serverUrl, deviceId: answer.deviceId });
    this.emit();
    return { deviceId: answer.deviceId };
  }

  /**
   * Starts the check-in loop (immediately, then every nextCheckinSeconds from the server; retries with backoff on
   * failure) and the scheduler of kept recurring scripts, which runs them whether or not the server is reachable.
   */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.scheduleCycle(0);
    this.scheduler.start();
  }

  /** Stops the loop and the scheduler and waits for a running check-in or script to settle. */
  async stop(): Promise<void> {
    this.running = false;
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.scheduler.stop();
    await this.busy;
  }

  /** Resolves once the check-in or scheduled run under way (and any queued behind it) has settled. */
  async idle(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.busy;
      await current;
    } while (current !== this.busy);
  }

  /** Tells the scheduler to look at the clock now, e.g. when the Mac wakes from sleep, rather than within a minute. */
  wakeScheduler(): void {
    this.scheduler.wake();
  }

  async getStatus(): Promise<AgentStatus> {
    let state: AgentState | null = null;
    let loadError: string | null = null;
    try {
      state = await this.loadState();
    } catch (error) {
      loadError = messageOf(error);
    }
    return {
      serverUrl: state?.serverUrl ?? null,
      deviceId: state?.deviceId ?? null,
      enrolled: state !== null,
      lastCheckinAt: state?.lastCheckinAt ?? null,
      lastCheckinError: loadError ?? state?.lastCheckinError ?? this.cycleError,
      nextCheckinAt: state?.nextCheckinAt ?? null,
      recentRuns: state?.recentRuns ?? [],
    };
  }

  async checkInNow(): Promise<AgentStatus> {
    await this.exclusive(() => this.cycle());
    return this.getStatus();
  }

  onStatusChanged(listener: (status: AgentStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private scheduleCycle(delayMs: number): void {
    this.cancelTimer?.();
    this.cancelTimer = this.ports.clock.schedule(delayMs, () => {
      this.cancelTimer = null;
      void this.exclusive(() => (this.running ? this.cycle() : Promise.resolve()));
    });
  }

  private exclusive(task: () => Promise<void>): Promise<void> {
    const run = this.busy.then(task);
    // The chain itself never rejects, so one failed cycle cannot block the next.
    this.busy = run.catch((error: unknown) => this.ports.logger.error('check-in cycle failed', { reason: messageOf(error) }));
    return this.busy;
  }

  /**
   * One round: recover interrupted runs, check in, deliver new scripts, send the outbox, schedule the next round.
   *
   * Each step catches its own failure so the others still run (DESIGN.md: one failing step never kills the loop).
   */
  private async cycle(): Promise<void> {
    let nextDelayMs: number;
    try {
      nextDelayMs = await this.enrolledCycle();
    } catch (error) {
      // Reached only when the state or the key cannot be used; the loop still goes on and the status says why.
      this.failedCheckins++;
      nextDelayMs = this.retryDelay();
      this.cycleError = `check-in: ${messageOf(error)}`;
      this.ports.logger.error('check-in cycle failed', { reason: messageOf(error) });
    }
    this.emit();
    if (this.running) this.scheduleCycle(nextDelayMs);
  }

  private async enrolledCycle(): Promise<number> {
    const state = await this.loadState();
    if (state === null) {
      this.cycleError = 'this device is not enrolled; enroll it with a user name and PIN first';
      return this.retryDelay();
    }
    const api = await this.api(state);
    this.cycleError = null;
    await this.step('recover interrupted runs', () => this.recoverJournal());
    let answer: CheckinResponse | null = null;
    try {
      answer = await api.checkIn(state.deviceId, { agentVersion: AGENT_VERSION, osVersion: deviceFacts().osVersion });
    } catch (error) {
      this.failedCheckins++;
      this.ports.logger.warn('check-in failed', { reason: messageOf(error) });
      await this.update((s) => ({ ...s, lastCheckinError: messageOf(error) }));
    }
    if (answer !== null) {
      this.failedCheckins = 0;
      await this.applyCheckin(answer, api);
    }
    await this.step('send results', async () => {
      const sent = await flushOutbox(this.ports.state, api, state.deviceId);
      if (sent > 0) this.ports.logger.info('sent outbox entries', { count: sent });
    });
    const delayMs = answer === null ? this.retryDelay() : Math.min(answer.nextCheckinSeconds * 1000, MAX_CHECKIN_INTERVAL_MS);
    const nextCheckinAt = this.running ? new Date(this.ports.clock.now().getTime() + delayMs).toISOString() : null;
    await this.update((s) => ({ ...s, nextCheckinAt }));
    return delayMs;
  }

  private async applyCheckin(answer: CheckinResponse, api: DeviceApiClient): Promise<void> {
    const now = this.ports.clock.now().toISOString();
    await this.update((s) => ({ ...s, agentConfig: answer.agentConfig, lastCheckinAt: now, lastCheckinError: null }));
    this.emit();
    for (const command of answer.commands) {
      this.ports.logger.warn('ignored a server command this agent cannot carry out yet (issue 8)', { commandId: command.id, type: command.type });
    }
    const revocationList = answer.revocationList;
    if (revocationList !== undefined) {
      // Before any ticket of this answer is opened, so a signing certificate revoked in it is refused at once (issue 4).
      await this.step('apply the tenant revocation list', async () => {
        const verified = await verifyRevocationList(Buffer.from(revocationList, 'base64'), this.requireState().tenantRootCertificate, this.ports.clock.now());
        await this.update((s) => ({ ...s, replay: acceptRevocationList(s.replay, verified) }));
      });
    }
    const context = this.deliveryContext(api);
    for (const assignment of answer.scripts) {
      if (!needsDelivery(this.requireState(), assignment)) continue;
      await this.step(`deliver configuration ${assignment.configurationId} v${assignment.version}`, () => deliverScript(context, assignment));
    }
    await this.step('stop schedules no longer assigned', async () => {
      for (const stale of unassignedSchedules(this.requireState(), answer.scripts)) {
        await this.update((s) => withoutSchedule(s, stale.configurationId, stale.version));
        this.ports.logger.info('stopped a recurring script schedule: its configuration version is no longer assigned', { configurationId: stale.configurationId, version: stale.version });
      }
    });
    this.scheduler.wake();
  }

  /** The kept recurring configurations, after interrupted runs moved their floors; none before enrollment. */
  private async keptSchedules(): Promise<ScheduledConfiguration[]> {
    const state = await this.loadState();
    if (state === null) return [];
    await this.step('recover interrupted runs', () => this.recoverJournal());
    return schedulesOf(this.requireState());
  }

  /**
   * One scheduled run, then its result is sent at once if the server answered the last check-in; otherwise it waits in
   * the outbox for the next check-in rather than holding up other runs while an unreachable server times out.
   */
  private async runScheduledAndReport(entry: ScheduledConfiguration, scheduledFor: Date): Promise<void> {
    await runScheduled(this.runContext(), entry, scheduledFor);
    this.emit();
    const state = this.requireState();
    if (state.lastCheckinError !== null) return;
    await this.step('send results', async () => {
      await flushOutbox(this.ports.state, await this.api(state), state.deviceId);
    });
  }

  /**
   * Turns each leftover journal entry (the agent died mid-run) into an interrupted result, once per process start.
   *
   * The run is never repeated: an "execute once" version is marked started, a scheduled run moves its schedule's floor.
   */
  private async recoverJournal(): Promise<void> {
    if (this.journalRecovered) return;
    for (const entry of await this.ports.state.listJournal()) {
      const result = interruptedResult(entry, this.ports.clock.now());
      await this.ports.state.putOutbox({ kind: 'result', result });
      await this.update((s) => ({ ...neverAgain(s, entry, result.endedAt), recentRuns: withRecentRun(s.recentRuns, summarize(result)) }));
      await this.ports.state.removeJournal(entry.executionId);
      this.ports.logger.warn('reported a run interrupted by an agent stop', { executionId: entry.executionId, configurationId: entry.configurationId });
    }
    this.journalRecovered = true;
  }

  private runContext(): RunContext {
    return {
      ports: this.ports,
      runner: this.runner,
      timeZone: this.timeZone,
      state: () => this.requireState(),
      update: (change) => this.update(change),
      notify: () => this.emit(),
    };
  }

  private deliveryContext(api: DeviceApiClient): DeliveryContext {
    return { ...this.runContext(), api, deviceKey: this.deviceKey! };
  }

  private async step(what: string, action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.ports.logger.error(`${what} failed`, { reason: messageOf(error) });
    }
  }

  private retryDelay(): number {
    const first = this.options.firstRetryDelayMs ?? 5000;
    const max = this.options.maxRetryDelayMs ?? 5 * 60 * 1000;
    return Math.min(max, first * 2 ** Math.max(0, Math.min(this.failedCheckins - 1, 20)));
  }

  private async api(state: AgentState): Promise<DeviceApiClient> {
    if (this.deviceKey === null) {
      const pem = await this.ports.secrets.readDeviceKeyPem();
      if (pem === null) throw new Error('the device key is missing from the secret store; re-enroll this device');
      this.deviceKey = privateKeyFromPem(pem);
    }
    return new DeviceApiClient(this.ports.http, this.ports.clock, state.serverUrl, this.deviceKey);
  }

  private async loadState(): Promise<AgentState | null> {
    if (!this.stateLoaded) {
      this.state = await this.ports.state.readState();
      this.stateLoaded = true;
    }
    return this.state;
  }

  private requireState(): AgentState {
    if (this.state === null) throw new Error('this device is not enrolled');
    return this.state;
  }

  /** Changes the state and writes it before resolving; the in-memory copy moves only once the disk has it. */
  private async update(change: (state: AgentState) => AgentState): Promise<void> {
    const next = change(this.requireState());
    await this.ports.state.writeState(next);
    this.state = next;
  }

  private emit(): void {
    if (this.listeners.size === 0) return;
    void this.getStatus().then((status) => {
      for (const listener of this.listeners) {
        try {
          listener(status);
        } catch (error) {
          this.ports.logger.warn('a status listener failed', { reason: messageOf(error) });
        }
      }
    });
  }
}

/** The state with the run of a leftover journal entry made unrepeatable. */
function neverAgain(state: AgentState, entry: JournalEntry, at: string): AgentState {
  if (entry.scheduledFor !== undefined) {
    const kept = schedulesOf(state).find((s) => s.configurationId === entry.configurationId && s.version === entry.configurationVersion);
    return kept === undefined ? state : withScheduleRun(state, kept, new Date(entry.scheduledFor), new Date(entry.startedAt));
  }
  if (findHandled(state, entry.configurationId, entry.configurationVersion)?.outcome === 'started') return state;
  return withHandled(state, { configurationId: entry.configurationId, version: entry.configurationVersion, outcome: 'started', ticketSha256: null, at });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
