// Runs kiosk onboarding on the device: decides it once after the first check-in of an automated enrollment, feeds the
// machine the device's reports (installs, the network, the clock), keeps its state across restarts, carries out its
// effects, and shows it to the UI as an OnboardingView.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ServiceError, type InstallProgress } from '../../shared/agent-service-contract';
import type { OnboardingSettings } from '../../shared/agent-config';
import type { OnboardingView } from '../../shared/onboarding-view';
import type { DeviceEvent } from '../../shared/protocol';
import type { Clock, Logger } from '../core/ports';
import { messageOf } from '../core/error-message';
import { onboardingEffects, resumeEffects, stepOnboarding, type OnboardingEffect } from './onboarding-effects';
import { canRetry, decideOnboarding, endScreen, progress, resumeOnboarding, type OnboardingEvent, type OnboardingState } from './onboarding-machine';
import type { OnboardingApp } from './onboarding-steps';
import { onboardingView } from './onboarding-view';

/**
 * What is kept: `decided` once the agent looked at onboarding after enrollment, so a restart never decides again (a
 * Mac that finished, or did not start, never drops into kiosk mode later); `state` the onboarding if it started;
 * `shown` while the kiosk shows it, until the user leaves the end screen.
 */
const KeptOnboardingSchema = z.object({ decided: z.literal(true), state: z.unknown(), shown: z.boolean() });

export interface OnboardingStore {
  read(): Promise<unknown>;
  write(kept: { decided: true; state: OnboardingState | null; shown: boolean }): Promise<void>;
}

export interface OnboardingHost {
  clock: Clock;
  logger: Logger;
  store: OnboardingStore;
  /** The apps distributed to the device, with their priority and type. */
  listApps(): Promise<OnboardingApp[]>;
  /** Starts an install through the catalog's install path; its progress comes back through installsChanged. */
  install(appId: string): Promise<void>;
  /** Puts a device log event in the outbox. */
  log(event: DeviceEvent): Promise<void>;
  /** Opens an https landing page in the user's default browser. */
  openLandingPage(url: string): void;
}

/** What the agent knows after its first check-in: the configuration's onboarding settings and how and when it enrolled. */
export interface EnrollmentFacts {
  settings: OnboardingSettings;
  enrollmentMethod: 'pin' | 'automated';
  enrolledAt: string;
}

const TICK_MS = 1000;

export class OnboardingController {
  private kept: { decided: true; state: OnboardingState | null; shown: boolean } | null = null;
  private loaded: Promise<void> | null = null;
  private cancelTick: (() => void) | null = null;
  private readonly listeners = new Set<(view: OnboardingView | null) => void>();
  /** Serialises changes, so two reports never reduce the same state. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly host: OnboardingHost) {}

  /** The kiosk's view, or null when there is nothing to show. */
  async view(): Promise<OnboardingView | null> {
    await this.load();
    return this.currentView();
  }

  onChanged(listener: (view: OnboardingView | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** After each successful check-in: the first one after enrollment decides; a running onboarding has its configurations. */
  afterCheckin(facts: EnrollmentFacts): Promise<void> {
    return this.change(async () => {
      if (this.kept !== null) return this.report({ type: 'networkRestored', now: this.now() });
      const decision = decideOnboarding({
        settings: facts.settings,
        enrollmentMethod: facts.enrollmentMethod,
        enrolledAt: Date.parse(facts.enrolledAt),
        now: this.now(),
        apps: facts.settings.enabled && facts.enrollmentMethod === 'automated' ? await this.host.listApps() : [],
      });
      if (!decision.started) {
        this.kept = { decided: true, state: null, shown: false };
        await this.host.store.write(this.kept);
        if (decision.reason !== 'disabled') this.host.logger.info('onboarding not started', { reason: decision.reason });
        return;
      }
      this.kept = { decided: true, state: decision.state, shown: true };
      await this.host.store.write(this.kept);
      await this.apply(onboardingEffects(null, decision.state));
      await this.report({ type: 'configurationsApplied' });
      // App Store apps come from the MDM server, which tells the agent nothing: their steps hold nothing up.
      for (const step of decision.state.steps) if (step.kind === 'app' && step.appType === 'app-store') await this.report({ type: 'appSkipped', appId: step.appId });
    });
  }

  /** A check-in that could not reach the server: the steps wait and the time stops until one gets through. */
  networkLost(): Promise<void> {
    return this.change(() => this.report({ type: 'networkLost', now: this.now() }));
  }

  /** Every change of the installs: each onboarding app's phase moves its step. */
  installsChanged(installs: readonly InstallProgress[]): Promise<void> {
    return this.change(async () => {
      for (const install of installs) {
        const event = installEvent(install);
        if (event !== null) await this.report(event);
      }
    });
  }

  retry(): Promise<OnboardingView | null> {
    return this.change(async () => {
      const state = this.kept?.state ?? null;
      if (state === null || !canRetry(state)) throw new ServiceError('invalid_input', 'no onboarding step failed, so there is nothing to retry');
      await this.report({ type: 'retryFailed', now: this.now() });
      return this.currentView();
    });
  }

  /**
   * The user leaves the end screen: the kiosk closes for good. A landing page shown at the end was opened then; one
   * behind a summary (something failed) opens now.
   */
  finish(): Promise<OnboardingView | null> {
    return this.change(async () => {
      const state = this.kept?.state ?? null;
      if (this.kept === null || state === null || state.outcome === 'running') return this.currentView();
      const wasShown = this.kept.shown;
      this.kept = { ...this.kept, shown: false };
      await this.host.store.write(this.kept);
      const screen = endScreen(state);
      if (wasShown && screen?.kind === 'summary' && screen.landingPageUrl !== null) this.openLandingPage(screen.landingPageUrl);
      this.notify();
      return null;
    });
  }

  /**
   * The administrator's way out of the kiosk (the documented key combination): the kiosk closes for good and the
   * device log says so; the steps go on in the background, and no landing page opens in the administrator's face.
   */
  leaveKiosk(): Promise<void> {
    return this.change(async () => {
      const state = this.kept?.state ?? null;
      if (this.kept === null || state === null || !this.kept.shown) return;
      this.kept = { ...this.kept, shown: false };
      await this.host.store.write(this.kept);
      const { done, failed, total } = progress(state);
      await this.apply([{ kind: 'log', type: 'onboarding.left', data: { outcome: state.outcome, done, failed, total } }]);
      this.notify();
    });
  }

  /** Stops the clock and resolves once the changes under way (a report, its log events) have been written. */
  async stop(): Promise<void> {
    this.cancelTick?.();
    await this.queue;
    // A change that was under way may have set the clock going again.
    this.cancelTick?.();
    this.cancelTick = null;
  }

  private change<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      await this.load();
      return work();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private load(): Promise<void> {
    this.loaded ??= this.resume();
    return this.loaded;
  }

  private async resume(): Promise<void> {
    const read = KeptOnboardingSchema.safeParse(await this.host.store.read());
    if (!read.success) return;
    if (read.data.state === null) {
      this.kept = { decided: true, state: null, shown: false };
      return;
    }
    const resumed = resumeOnboarding(read.data.state, this.now());
    if (!resumed.ok) {
      this.host.logger.error('the kept onboarding is unusable; it is not shown again', { reason: resumed.error });
      this.kept = { decided: true, state: null, shown: false };
      return;
    }
    this.kept = { decided: true, state: resumed.state, shown: read.data.shown };
    await this.apply(resumeEffects(resumed.state));
  }

  private async report(event: OnboardingEvent): Promise<void> {
    const before = this.kept?.state ?? null;
    if (this.kept === null || before === null) return;
    const { state, effects } = stepOnboarding(before, event);
    if (state === before) return;
    this.kept = { ...this.kept, state };
    await this.host.store.write(this.kept);
    await this.apply(effects);
    this.notify();
  }

  private async apply(effects: OnboardingEffect[]): Promise<void> {
    for (const effect of effects) {
      try {
        if (effect.kind === 'log') await this.host.log(logEvent(effect, this.host.clock.now()));
        else if (effect.kind === 'install') await this.host.install(effect.appId);
        // Only while the kiosk shows: after the administrator left it, onboarding's end opens nothing.
        else if (this.kept?.shown === true) this.openLandingPage(effect.url);
      } catch (error) {
        const reason = messageOf(error);
        this.host.logger.error('an onboarding effect failed', { effect: effect.kind, reason });
        // An install that could not even start fails its step, with the reason, rather than wait for the timeout.
        if (effect.kind === 'install') await this.report({ type: 'appInstallFailed', appId: effect.appId, message: reason });
      }
    }
    this.scheduleTick();
  }

  private openLandingPage(url: string): void {
    try {
      this.host.openLandingPage(url);
    } catch (error) {
      this.host.logger.error('the landing page could not be opened', { url, reason: messageOf(error) });
    }
  }

  /** While onboarding runs: a tick each second, which ends it at the deadline and moves the countdown. */
  private scheduleTick(): void {
    if (this.cancelTick !== null || this.kept?.state?.outcome !== 'running') return;
    this.cancelTick = this.host.clock.schedule(TICK_MS, () => {
      this.cancelTick = null;
      void this.change(async () => {
        const before = this.kept?.state;
        await this.report({ type: 'tick', now: this.now() });
        // A tick that changed nothing still moves the countdown; one that ended onboarding has told the listeners.
        if (this.kept?.state === before) this.notify();
        this.scheduleTick();
      });
    });
  }

  private currentView(): OnboardingView | null {
    const kept = this.kept;
    return kept === null || kept.state === null || !kept.shown ? null : onboardingView(kept.state, this.now());
  }

  private notify(): void {
    const view = this.currentView();
    for (const listener of this.listeners) listener(view);
  }

  private now(): number {
    return this.host.clock.now().getTime();
  }
}

/** The machine's event for an install's phase, or null for one that moves no step. */
function installEvent(install: InstallProgress): OnboardingEvent | null {
  switch (install.phase) {
    case 'downloading':
    case 'verifying':
      return { type: 'appDownloadStarted', appId: install.appId };
    case 'installing':
      return { type: 'appInstallStarted', appId: install.appId };
    case 'installed':
      return { type: 'appInstalled', appId: install.appId };
    case 'failed':
      return { type: 'appInstallFailed', appId: install.appId, message: install.message ?? 'The install failed.' };
  }
}

const LOG_MESSAGES: Record<Extract<OnboardingEffect, { kind: 'log' }>['type'], (data: Record<string, unknown>) => string> = {
  'onboarding.started': (data) => `Onboarding started: ${String(data.steps)} steps, ${String(data.backgroundApps)} apps in the background, ${String(data.timeoutSeconds)} s to go.`,
  'onboarding.resumed': (data) => `Onboarding resumed after the agent restarted; ${String(data.unsettledSteps)} installs started again.`,
  'onboarding.step': (data) => `Onboarding step ${String(data.name ?? data.step)}: ${String(data.status)}${data.failure === null ? '' : ` (${String(data.failure)})`}.`,
  'onboarding.ended': (data) => `Onboarding ended ${String(data.outcome)}: ${String(data.done)} of ${String(data.total)} steps done, ${String(data.failed)} failed, ${String(data.skipped)} skipped.`,
  'onboarding.retried': (data) => `Onboarding retried ${String(data.failedSteps)} failed steps.`,
  'onboarding.offline': () => 'Onboarding waits for the network; the time does not run meanwhile.',
  'onboarding.online': () => 'Onboarding has the network back.',
  'onboarding.left': (data) => `An administrator left the onboarding screen with the key combination while it was ${String(data.outcome)} (${String(data.done)} of ${String(data.total)} steps done); the rest goes on in the background.`,
};

function logEvent(effect: Extract<OnboardingEffect, { kind: 'log' }>, at: Date): DeviceEvent {
  return { id: randomUUID(), type: effect.type, at: at.toISOString(), message: LOG_MESSAGES[effect.type](effect.data), data: effect.data };
}
