// The agent core's service: enrollment, the check-in loop, script delivery, scheduled runs, result reporting, and the status its UIs show.
import type { KeyObject } from 'node:crypto';
import { ServiceError, type AgentServiceContract, type MethodResult } from '../../shared/agent-service-contract';
import type { AgentStatus } from '../../shared/agent-status';
import type { CheckinResponse } from '../../shared/protocol';
import type { AgentState, ScheduledConfiguration } from '../core/agent-state';
import { CheckinBackoff, KEY_RECHECK_MS, MAX_CHECKIN_INTERVAL_MS } from './checkin-backoff';
import type { AgentOptions } from './agent-options';
import { failureKindOf, retryAfterOf } from '../delivery/delivery-failure';
import { DeviceApiClient } from '../transport/device-api-client';
import type { EnrollParams } from '../enrollment/device-enrollment';
import { enrollWithErrorCodes } from './coded-enrollment';
import { enrollFromInbox } from './automated-enrollment';
import { agentOnboarding } from './agent-onboarding';
import type { OnboardingController } from '../onboarding/onboarding-controller';
import { DEFAULT_AGENT_CONFIG } from '../../shared/agent-config';
import { AppsService } from '../apps/apps-service';
import { AGENT_VERSION } from '../core/agent-version';
import { deviceFacts } from '../enrollment/device-identity';
import { DeviceKeyUnusableError, loadDeviceKey } from '../enrollment/device-key-loader';
import { agentCheckinReceivers, CheckinReceivers } from './checkin-receivers';
import { InventoryReporter } from '../inventory/inventory-reporter';
import { flushOutbox, reportSetAsideFiles } from '../outbox/outbox-sender';
import type { AgentPorts } from '../core/ports';
import { ResilientStateStore } from '../state/resilient-state-store';
import { schedulesOf } from '../delivery/scheduled-configurations';
import { recoverInterruptedRuns } from './journal-recovery';
import { Scheduler, type DeviceTimeZone } from '../schedule/scheduler';
import { runScheduled, type DeliveryContext, type RunContext } from '../delivery/script-delivery';
import { ScriptRunner } from '../runner/script-runner';
import { StatusListeners } from './status-listeners';
import { systemTimeZone } from '../schedule/system-time-zone';
import { versionInfo } from './version-info';
import { statusOf } from './status-of-state';
import { SerialWorkQueue } from '../core/work-queue';
import { messageOf } from '../core/error-message';

export class AgentService implements AgentServiceContract {
  private readonly runner: ScriptRunner;
  private readonly scheduler: Scheduler;
  private readonly timeZone: DeviceTimeZone;
  private readonly listeners: StatusListeners;
  private readonly ports: AgentPorts;
  /** The state store the whole core writes through: it keeps finished results the disk refuses (issue 9). */
  private readonly store: ResilientStateStore;
  private readonly backoff: CheckinBackoff;
  private state: AgentState | null = null;
  private stateLoaded = false;
  private deviceKey: KeyObject | null = null;
  /**
   * The check-in queue: check-in cycles (and every check-in receiver), scheduler wakes with their scheduled runs,
   * and journal recovery run on it one at a time, so only one of them reads or writes the state at a time.
   */
  private readonly checkins: SerialWorkQueue;
  /**
   * The work queue: work that can take minutes (installs, onboarding steps) runs here, one at a time, apart from the
   * check-in queue, so a check-in or a scheduled run never waits for it (issue 10).
   */
  private readonly work: SerialWorkQueue;
  private readonly receivers: CheckinReceivers;
  /** Apps@Work: the catalog, installs and retiring, delegated (apps-service.ts). */
  private readonly apps: AppsService;
  /** Kiosk onboarding after an automated enrollment (onboarding-controller.ts). */
  private readonly onboarding: OnboardingController;
  private readonly inventory: InventoryReporter;
  private running = false;
  private cancelTimer: (() => void) | null = null;
  private journalRecovered = false;
  /** Why the last check-in could not even start (no enrollment, unusable state); otherwise the state holds the error. */
  private cycleError: string | null = null;
  /** Why the device key cannot be used; no check-in is tried while it is set. */
  private keyProblem: string | null = null;

  constructor(
    ports: AgentPorts,
    private readonly options: AgentOptions = {},
  ) {
    this.store = new ResilientStateStore(ports.state, ports.clock, ports.logger);
    this.ports = { ...ports, state: this.store };
    this.backoff = new CheckinBackoff(ports.clock, options);
    this.checkins = new SerialWorkQueue(ports.logger);
    this.work = new SerialWorkQueue(ports.logger);
    this.listeners = new StatusListeners(() => this.getStatus(), ports.logger);
    const appsContext = { ports: this.ports, work: this.work, state: () => this.loadState(), api: (state: AgentState) => this.api(state), markRetired: (at: string) => this.markRetired(at) };
    this.apps = new AppsService(appsContext, options.apps ?? {});
    this.inventory = new InventoryReporter({ clock: ports.clock, logger: ports.logger, installs: this.apps }, options.inventory);
    this.receivers = new CheckinReceivers(options.checkinReceivers ?? agentCheckinReceivers(this.inventory));
    this.onboarding = agentOnboarding({ clock: ports.clock, logger: ports.logger, outbox: this.store, apps: this.apps }, options.onboarding);
    this.apps.onInstallsChanged((installs) => void this.onboarding.installsChanged(installs).catch((error: unknown) => ports.logger.error('onboarding: installs', { reason: messageOf(error) })));
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

  /**
   * Generates the P-256 device key (private key never leaves the secret store), enrolls with user + PIN, pins the root.
   * Each failure is a ServiceError: its code tells a wrong or locked PIN, a server that does not answer, another server.
   */
  async enroll(params: EnrollParams): Promise<{ deviceId: string }> {
    const existing = await this.loadState();
    if (existing !== null && existing.retiredAt === undefined) throw new ServiceError('already_enrolled', `this device is already enrolled with ${existing.serverUrl} as ${existing.deviceId}; retire it before enrolling again`);
    const { state, key } = await enrollWithErrorCodes(this.ports, params);
    await this.ports.state.writeState(state);
    this.state = state;
    this.deviceKey = key;
    this.ports.logger.info('enrolled', { serverUrl: state.serverUrl, deviceId: state.deviceId });
    this.emit();
    return { deviceId: state.deviceId };
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
    this.inventory.start();
  }

  /** Stops the loop and the scheduler and waits for a running check-in or script, and queued long work, to settle. */
  async stop(): Promise<void> {
    this.running = false;
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.scheduler.stop();
    await this.inventory.stop();
    await this.checkins.idle();
    await this.work.idle();
    // Last: the installs that just settled may still be reporting to it (its device log goes to the outbox).
    await this.onboarding.stop();
  }

  /** Resolves once the check-in or scheduled run under way (and any queued behind it) has settled. */
  idle(): Promise<void> {
    return this.checkins.idle();
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
    return statusOf(state, loadError ?? this.keyProblem ?? this.store.writeProblem(), this.cycleError);
  }

  async checkInNow(): Promise<AgentStatus> {
    await this.exclusive(() => this.cycle());
    return this.getStatus();
  }

  onStatusChanged(listener: (status: AgentStatus) => void): () => void {
    return this.listeners.add(listener);
  }

  readonly getCatalog: AppsService['getCatalog'] = (...args) => this.apps.getCatalog(...args);
  readonly getAppDetails: AppsService['getAppDetails'] = (...args) => this.apps.getAppDetails(...args);
  readonly getReviews: AppsService['getReviews'] = (...args) => this.apps.getReviews(...args);
  readonly saveReview: AppsService['saveReview'] = (...args) => this.apps.saveReview(...args);
  readonly installApp: AppsService['installApp'] = (...args) => this.apps.installApp(...args);
  readonly getInstalls: AppsService['getInstalls'] = () => this.apps.getInstalls();
  readonly onInstallsChanged: AppsService['onInstallsChanged'] = (listener) => this.apps.onInstallsChanged(listener);
  readonly retireDevice: AppsService['retireDevice'] = () => this.apps.retireDevice();
  readonly getVersionInfo = async (): Promise<MethodResult<'getVersionInfo'>> => versionInfo();
  readonly getOnboarding = () => this.onboarding.view();
  readonly retryOnboarding = () => this.onboarding.retry();
  readonly finishOnboarding = () => this.onboarding.finish();
  readonly onOnboardingChanged: OnboardingController['onChanged'] = (listener) => this.onboarding.onChanged(listener);
  /** The administrator's key combination in the kiosk window (src/main): not in the contract, so no page can call it. */
  readonly leaveOnboardingKiosk = () => this.onboarding.leaveKiosk();

  /** Records the retirement on the check-in queue and stops the loop: a retired device's tokens are refused from now on. */
  private async markRetired(retiredAt: string): Promise<void> {
    await this.exclusive(async () => {
      await this.update((s) => ({ ...s, retiredAt, nextCheckinAt: null }));
      this.cancelTimer?.();
      this.cancelTimer = null;
    });
    this.emit();
    if (this.state?.retiredAt !== retiredAt) throw new ServiceError('unknown', 'the server retired this device, but the agent could not record it in its state; see its log');
  }

  private scheduleCycle(delayMs: number): void {
    this.cancelTimer?.();
    this.cancelTimer = this.ports.clock.schedule(delayMs, () => {
      this.cancelTimer = null;
      void this.exclusive(() => (this.running ? this.cycle() : Promise.resolve()));
    });
  }

  private exclusive(task: () => Promise<void>): Promise<void> {
    return this.checkins.run('check-in cycle', task);
  }

  /**
   * One round: recover interrupted runs, check in, deliver new scripts, send the outbox, schedule the next round.
   *
   * Each step catches its own failure so the others still run (DESIGN.md: one failing step never kills the loop).
   */
  private async cycle(): Promise<void> {
    let nextDelayMs: number | null;
    try {
      nextDelayMs = await this.enrolledCycle();
    } catch (error) {
      // Reached only when the state or the key cannot be used; the loop still goes on and the status says why.
      this.ports.logger.error('check-in cycle failed', { reason: messageOf(error) });
      if (error instanceof DeviceKeyUnusableError) {
        this.keyProblem = error.message;
        nextDelayMs = this.options.keyRecheckMs ?? KEY_RECHECK_MS;
      } else {
        this.backoff.failed(null);
        nextDelayMs = this.backoff.delayMs();
        this.cycleError = `check-in: ${messageOf(error)}`;
      }
    }
    // Whichever way the round ended, so the status never shows a check-in that will not happen (an unusable key waits an hour).
    const nextCheckinAt = this.running && nextDelayMs !== null ? new Date(this.ports.clock.now().getTime() + nextDelayMs).toISOString() : null;
    if (this.state !== null) await this.step('record the next check-in time', () => this.update((s) => ({ ...s, nextCheckinAt })));
    this.emit();
    if (this.running && nextDelayMs !== null) this.scheduleCycle(nextDelayMs);
  }

  /** One round of an enrolled device; resolves with the wait before the next, or null for a retired device, which never checks in again. */
  private async enrolledCycle(): Promise<number | null> {
    const state = await this.loadState();
    if (state?.retiredAt !== undefined) return null;
    if (state === null) {
      const automated = this.options.automatedEnrollment;
      const problem = automated === undefined ? null : await enrollFromInbox(automated, (params) => this.enroll(params), this.ports.logger);
      if (this.state !== null) return 0;
      this.cycleError = problem ?? 'this device is not enrolled; enroll it with a user name and PIN first';
      this.backoff.failed(null);
      return this.backoff.delayMs();
    }
    const api = await this.api(state);
    this.cycleError = null;
    await this.step('keep finished results on disk', () => this.store.persistHeld());
    await this.step('recover interrupted runs', () => this.recoverJournal());
    let answer: CheckinResponse | null = null;
    let failure: unknown = null;
    try {
      answer = await api.checkIn(state.deviceId, { agentVersion: AGENT_VERSION, osVersion: deviceFacts().osVersion, ...this.inventory.checkinFields() });
    } catch (error) {
      failure = error;
      this.ports.logger.warn('check-in failed', { reason: messageOf(error) });
      if (failureKindOf(error) === 'retry') await this.step('onboarding: the network is lost', () => this.onboarding.networkLost());
      await this.step('record the check-in error', () => this.update((s) => ({ ...s, lastCheckinError: messageOf(error) })));
      this.apps.checkinRefused(error);
    }
    // Isolated like the other steps, so results the disk refused are still delivered from memory (issue 9).
    if (answer !== null) await this.step('apply the check-in answer', () => this.applyCheckin(answer, api));
    await this.step('report state files set aside', () => reportSetAsideFiles(this.store, this.ports));
    // A refused device or a server asking for quiet gets no more calls this round (issue 9).
    if (failureKindOf(failure) !== 'unauthorized' && retryAfterOf(failure) === null) {
      const stoppedBy = await this.sendOutbox(api, state.deviceId);
      failure ??= stoppedBy;
    }
    // A round that could not write its state failed too, so a full disk backs off even when the server answered.
    const healthy = failure === null && this.store.writeProblem() === null;
    if (healthy) this.backoff.succeeded();
    else this.backoff.failed(retryAfterOf(failure));
    const delayMs = healthy && answer !== null ? Math.min(answer.nextCheckinSeconds * 1000, MAX_CHECKIN_INTERVAL_MS) : this.backoff.delayMs();
    return delayMs;
  }

  /** Records the answer, then hands it to the check-in receivers, each isolated (checkin-receivers.ts). */
  private async applyCheckin(answer: CheckinResponse, api: DeviceApiClient): Promise<void> {
    const now = this.ports.clock.now().toISOString();
    await this.update((s) => ({ ...s, lastCheckinAt: now, lastCheckinError: null }));
    // Before the status event, which makes the UI ask for the catalog again.
    this.apps.checkedIn();
    this.emit();
    await this.receivers.apply(answer, { ...this.deliveryContext(api), work: this.work, retirement: this.apps });
    this.scheduler.wake();
    const state = this.requireState();
    await this.onboarding.afterCheckin({ settings: (state.agentConfig ?? DEFAULT_AGENT_CONFIG).onboarding, enrollmentMethod: state.enrollmentMethod, enrolledAt: state.enrolledAt });
  }

  /** The kept recurring configurations, after interrupted runs moved their floors; none before enrollment or once retired. */
  private async keptSchedules(): Promise<ScheduledConfiguration[]> {
    const state = await this.loadState();
    if (state === null || state.retiredAt !== undefined) return [];
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
    if (state.lastCheckinError !== null || this.backoff.quiet()) return;
    await this.step('reach the server', async () => void (await this.sendOutbox(await this.api(state), state.deviceId)));
  }

  /** Sends the outbox; a refused device (401, 403) shows as the agent's error until a check-in succeeds again. */
  private async sendOutbox(api: DeviceApiClient, deviceId: string): Promise<unknown> {
    let stoppedBy: unknown = null;
    await this.step('send results', async () => {
      stoppedBy = (await flushOutbox(this.ports.state, api, deviceId, this.ports)).stoppedBy;
    });
    if (failureKindOf(stoppedBy) === 'unauthorized') await this.step('record the delivery error', () => this.update((s) => ({ ...s, lastCheckinError: messageOf(stoppedBy) })));
    return stoppedBy;
  }

  /** Turns each leftover journal entry (the agent died mid-run) into an interrupted result, once per process start. */
  private async recoverJournal(): Promise<void> {
    if (this.journalRecovered) return;
    await recoverInterruptedRuns(this.ports, (change) => this.update(change));
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

  private async api(state: AgentState): Promise<DeviceApiClient> {
    if (this.deviceKey === null) {
      this.deviceKey = await loadDeviceKey(this.ports.secrets);
      this.keyProblem = null;
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
    this.listeners.emit();
  }
}
