// Retiring this device (DESIGN.md §8, issue 13): the server is told first (the user's own request, or the confirmation of its retire command), then the agent removes itself.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { InstallProgress } from '../../shared/agent-service-contract';
import { messageOf } from '../core/error-message';
import { failureKindOf } from '../delivery/delivery-failure';
import { endLeftoverRun } from '../runner/process-containment';
import { DeviceApiError } from '../transport/device-api-client';
import type { AppsContext } from './apps-context';
import { CatalogApi } from './catalog-api';

/** Where the app ships build/uninstall.sh (docs/uninstall.md). */
export const MAC_UNINSTALL_SCRIPT = '/Applications/Atwork.app/Contents/Resources/uninstall.sh';
/** The error code of the server's answer to a call signed by a device it retired. */
export const DEVICE_RETIRED_CODE = 'device_retired';
/** Why the device confirms, as the server's log shows it. */
const CONFIRM_REASON = "Confirmed the administrator's retire request.";

export interface RetirementOptions {
  /** The agent's state folder: emptied once retired (state, the device key file, outbox, journal, blobs; its folders stay, empty); without one it is left. */
  stateDir?: string;
  /** Names in the state folder that stay, e.g. the lock file the running agent holds. */
  keepInStateDir?: readonly string[];
  /** The package folder (usually inside the state folder), emptied too. */
  packageDir?: string;
  /**
   * The uninstall script, started in its own session once the agent removed its files: it boots out both launchd
   * jobs, removes the app, the keychain items and the receipts. Started only when the file exists; none by default.
   */
  uninstallScript?: string | null;
}

/** The uninstall script of this machine: ATWORK_UNINSTALL_SCRIPT (a test's recording fake), else MAC_UNINSTALL_SCRIPT on macOS. */
export function defaultUninstallScript(): string | null {
  return process.env.ATWORK_UNINSTALL_SCRIPT ?? (process.platform === 'darwin' ? MAC_UNINSTALL_SCRIPT : null);
}

/** Whether a device call was refused because the server retired this device (a forced retire, or a confirmation whose answer was lost). */
export function refusedAsRetired(error: unknown): boolean {
  return error instanceof DeviceApiError && error.serverCode === DEVICE_RETIRED_CODE;
}

export class DeviceRetirement {
  /** The retire command whose confirmation is under way, so a check-in that carries it meanwhile starts no second one. */
  private carryingOut: string | null = null;

  constructor(
    private readonly context: AppsContext,
    private readonly options: RetirementOptions,
    private readonly installs: () => InstallProgress[],
  ) {}

  /** After the server retired the device at its own request (About > Uninstall): the agent removes itself. */
  retiredAtUserRequest(retiredAt: string): Promise<void> {
    return this.removeAgent(retiredAt, 'the server retired this device at its request');
  }

  /**
   * Carries out the server's retire command: confirms it to the server first, then removes the agent. A confirmation
   * that failed for a network or server reason is thrown: the next check-in carries the command again.
   */
  async carryOut(commandId: string): Promise<void> {
    const state = await this.context.state();
    if (state === null || state.retiredAt !== undefined || this.carryingOut !== null) return;
    this.carryingOut = commandId;
    try {
      const api = await this.context.api(state);
      let retiredAt: string;
      try {
        retiredAt = await new CatalogApi(api, state.deviceId).retire(CONFIRM_REASON);
      } catch (error) {
        // Confirmed by an earlier call whose answer was lost: the server already refuses the key.
        if (!refusedAsRetired(error)) {
          const kept = failureKindOf(error) === 'retry';
          this.context.ports.logger.warn(kept ? 'retire: the confirmation failed; it is tried again at the next check-in' : 'retire: the server refused the confirmation', { commandId, reason: messageOf(error) });
          throw error;
        }
        retiredAt = this.context.ports.clock.now().toISOString();
      }
      await this.removeAgent(retiredAt, 'the server retired this device by an administrator\'s request, confirmed', commandId);
    } finally {
      this.carryingOut = null;
    }
  }

  /** A check-in refused because the server retired this device: the agent records it and removes itself. */
  async refused(): Promise<void> {
    const state = await this.context.state();
    if (state === null || state.retiredAt !== undefined) return;
    await this.removeAgent(this.context.ports.clock.now().toISOString(), 'the server refuses this device: it was retired');
  }

  /**
   * Ends running scripts, records the retirement (no more check-ins), then removes the agent's files and starts the
   * uninstall script. Running scripts are ended first: they run on the check-in queue, which markRetired waits for.
   */
  private async removeAgent(retiredAt: string, why: string, commandId?: string): Promise<void> {
    const { logger } = this.context.ports;
    logger.warn(`retire: ${why}; the agent removes itself`, { retiredAt, commandId });
    await this.endRunningScripts();
    await this.context.markRetired(retiredAt);
    this.logInstalledApps();
    // Through its store, wherever that keeps it (the state folder's file, or the Keychain-sealed file in the app).
    await this.context.ports.secrets.deleteDeviceKey().catch((error: unknown) => this.context.ports.logger.error('retire: could not delete the device key', { reason: messageOf(error) }));
    await this.removeFiles();
    this.startUninstallScript();
  }

  private async endRunningScripts(): Promise<void> {
    const { state, spawner, logger } = this.context.ports;
    for (const entry of await state.listJournal().catch(() => [])) {
      if (entry.process === undefined) continue;
      const { killed } = await endLeftoverRun(entry.process, spawner);
      logger.warn('retire: ended a running script', { executionId: entry.executionId, killed });
    }
  }

  /** Removing a managed app needs its "remove on un-enrollment" flag, which the device catalog does not carry yet, and macOS. */
  private logInstalledApps(): void {
    const installed = this.installs().filter((i) => i.phase === 'installed');
    if (installed.length === 0) return;
    this.context.ports.logger.warn('retire: the apps this agent installed stay on the Mac; removing those marked "remove on un-enrollment" is not done by this agent', {
      apps: installed.map((i) => i.appId).join(','),
    });
  }

  private async removeFiles(): Promise<void> {
    const { stateDir, packageDir, keepInStateDir = [] } = this.options;
    const { logger } = this.context.ports;
    const remove = (path: string) => rm(path, { recursive: true, force: true }).catch((error: unknown) => logger.error('retire: could not remove a file of the agent', { path, reason: messageOf(error) }));
    // The folders themselves stay, emptied: the state store made them once and writes into them, e.g. at a new enrollment.
    const empty = async (dir: string, keep: readonly string[] = []) => {
      for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
        if (keep.includes(entry.name)) continue;
        if (entry.isDirectory()) for (const child of await readdir(join(dir, entry.name)).catch(() => [])) await remove(join(dir, entry.name, child));
        else await remove(join(dir, entry.name));
      }
    };
    if (packageDir !== undefined) await empty(packageDir);
    if (stateDir === undefined) return;
    await empty(stateDir, keepInStateDir);
    logger.info('retire: removed the agent state, its device key and its packages', { stateDir });
  }

  /** Detached in a session of its own, so that booting out the daemon that started it does not end it (docs/uninstall.md). */
  private startUninstallScript(): void {
    const script = this.options.uninstallScript ?? null;
    if (script === null || !existsSync(script)) return;
    const { logger } = this.context.ports;
    const child = spawn(script, [], { detached: true, stdio: 'ignore' });
    child.on('error', (error) => logger.error('retire: the uninstall script did not start', { script, reason: messageOf(error) }));
    child.unref();
    logger.info('retire: started the uninstall script', { script });
  }
}
