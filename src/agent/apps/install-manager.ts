// Installs apps: the verified package ticket, the capped and resumed download, the sha256 check, the installer, and the reports, with progress for the UI.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ServiceError, type InstallProgress } from '../../shared/agent-service-contract';
import type { InstallReport, InstallState, PackageTicketClaims } from '../../shared/catalog-protocol';
import { normalizeSerial } from '../../shared/ticket';
import type { AgentState } from '../core/agent-state';
import type { Installer } from '../core/ports';
import { ensurePrivateDir } from '../state/file-state-store';
import type { DeviceApiClient } from '../transport/device-api-client';
import { deviceApiServiceError } from '../transport/device-api-errors';
import { verifyPackageTicket } from '../trust/package-ticket-verifier';
import { TicketRejectedError } from '../trust/ticket-verifier';
import { deviceInService, type AppsContext } from './apps-context';
import { CatalogApi } from './catalog-api';
import { downloadPackage, fileSha256 } from './package-download';
import { messageOf } from '../core/error-message';

/** Byte progress reaches the UI at most this often; every change of phase at once. */
const PROGRESS_INTERVAL_MS = 200;
const MAX_MESSAGE_CHARS = 1000;

export interface InstallOptions {
  /** The agent's private folder for packages being installed (0700, under the state folder); none: installs are refused. */
  packageDir?: string;
  installer: Installer;
  /** Download tuning, for tests: see package-download.ts. */
  idleTimeoutMs?: number;
  resumeDelayMs?: number;
  /** Told every change of an install as the catalog shows it, before the UI hears of it. */
  onInstallState?: (appId: string, state: InstallState) => void;
}

/** Where a queued install goes: the device's server and the package folder. */
interface InstallTarget {
  catalog: CatalogApi;
  api: DeviceApiClient;
  deviceId: string;
  packageDir: string;
}

/** Empties the package folder of files no install is using: called before any install runs. */
async function removeLeftoverPackages(packageDir: string, context: AppsContext): Promise<void> {
  const names = await readdir(packageDir).catch(() => []);
  for (const name of names) await rm(join(packageDir, name), { recursive: true, force: true });
  if (names.length > 0) context.ports.logger.info('removed packages left by an interrupted install', { count: names.length });
}

/** An install that failed with a message meant for the person at the Mac. */
class InstallFailure extends Error {}

const FINISHED: ReadonlySet<InstallProgress['phase']> = new Set(['installed', 'failed']);

export class InstallManager {
  /** The install under way, or the latest outcome, of each app since the agent started. */
  private readonly installs = new Map<string, InstallProgress>();
  /** Installs asked for whose ticket is being fetched and verified, so a second click joins the first. */
  private readonly starting = new Map<string, Promise<InstallProgress>>();
  private readonly listeners = new Set<(installs: InstallProgress[]) => void>();
  private lastBytesEmit = 0;

  constructor(
    private readonly context: AppsContext,
    private readonly options: InstallOptions,
  ) {
    // A package left by an agent killed mid-install (up to MAX_PACKAGE_BYTES) goes at start, on the work queue, so it
    // can never race an install's download.
    const { packageDir } = options;
    if (packageDir !== undefined) context.work.enqueue('remove leftover packages', () => removeLeftoverPackages(packageDir, context));
  }

  list(): InstallProgress[] {
    return [...this.installs.values()];
  }

  onChanged(listener: (installs: InstallProgress[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts installing `appId`, or answers the install of it already under way. */
  install(appId: string): Promise<InstallProgress> {
    const current = this.installs.get(appId);
    if (current !== undefined && !FINISHED.has(current.phase)) return Promise.resolve(current);
    let starting = this.starting.get(appId);
    if (starting === undefined) {
      starting = this.start(appId).finally(() => this.starting.delete(appId));
      this.starting.set(appId, starting);
    }
    return starting;
  }

  /** Gets and verifies the ticket, then queues the rest on the work queue; a refused ticket is a failed install. */
  private async start(appId: string): Promise<InstallProgress> {
    const { state, api } = await deviceInService(this.context);
    const { packageDir } = this.options;
    if (packageDir === undefined) throw new ServiceError('install_failed', 'this agent has no folder to download packages to, so it installs no apps');
    const catalog = new CatalogApi(api, state.deviceId);
    const { clock, logger } = this.context.ports;
    let ticket: string;
    try {
      ticket = await catalog.installTicket(appId);
    } catch (error) {
      logger.warn('could not get an install ticket', { appId, reason: messageOf(error) });
      throw deviceApiServiceError(error);
    }
    const now = clock.now();
    let claims: PackageTicketClaims;
    try {
      claims = await verifyPackageTicket(ticket, { rootCertificatePem: state.tenantRootCertificate, tenantId: state.tenantId, deviceId: state.deviceId }, revocationsOf(state), now);
      if (claims.appId !== appId) throw new TicketRejectedError('claims_invalid', `package ticket is for app ${claims.appId}`);
    } catch (error) {
      logger.error('refused a package ticket', { appId, reason: messageOf(error) });
      const message = `The install ticket from the server was refused: ${messageOf(error)}.`;
      const failed = this.set({ appId, name: appId, version: '', phase: 'failed', receivedBytes: 0, totalBytes: 0, message, startedAt: now.toISOString(), endedAt: now.toISOString() });
      this.context.work.enqueue(`report the install of ${appId}`, () => this.report(catalog, appId, { state: 'failed', version: '', message }));
      return failed;
    }
    const progress = this.set({
      appId,
      name: claims.name,
      version: claims.version,
      phase: 'downloading',
      receivedBytes: 0,
      totalBytes: claims.package.size,
      message: null,
      startedAt: now.toISOString(),
      endedAt: null,
    });
    logger.info('queued an app install', { appId, version: claims.version, size: claims.package.size });
    // Minutes of download and installer: the work queue, so check-ins and scheduled runs go on meanwhile.
    this.context.work.enqueue(`install ${appId}`, () => this.run(claims, { catalog, api, deviceId: state.deviceId, packageDir }));
    return progress;
  }

  /** Download, check, install, report; every failure ends as a failed install, reported, and the package file goes. */
  private async run(claims: PackageTicketClaims, { catalog, api, deviceId, packageDir }: InstallTarget): Promise<void> {
    const { appId, version } = claims;
    const { clock, logger } = this.context.ports;
    const file = join(packageDir, `${claims.package.sha256}.pkg`);
    try {
      await this.report(catalog, appId, { state: 'installing', version, message: null });
      await ensurePrivateDir(packageDir);
      logger.info('downloading a package', { appId, version, size: claims.package.size });
      await downloadPackage({
        api,
        deviceId,
        path: claims.package.path,
        file,
        size: claims.package.size,
        onBytes: (received) => this.bytes(appId, received),
        clock,
        logger,
        idleTimeoutMs: this.options.idleTimeoutMs,
        resumeDelayMs: this.options.resumeDelayMs,
      });
      this.change(appId, { phase: 'verifying', receivedBytes: claims.package.size });
      logger.info('checking a downloaded package', { appId, version });
      if ((await fileSha256(file)) !== claims.package.sha256) throw new InstallFailure('The downloaded package does not match the sha256 its ticket signs, so it was not installed.');
      this.change(appId, { phase: 'installing' });
      logger.info('installing a package', { appId, version });
      const outcome = await this.options.installer.install(file);
      if (!outcome.installed) throw new InstallFailure(outcome.message);
      this.change(appId, { phase: 'installed', endedAt: clock.now().toISOString() });
      logger.info('installed an app', { appId, version });
      await this.report(catalog, appId, { state: 'installed', version, message: null });
    } catch (error) {
      const message = error instanceof InstallFailure ? error.message : `The package could not be downloaded: ${messageOf(error)}.`;
      this.change(appId, { phase: 'failed', message: message.slice(0, MAX_MESSAGE_CHARS), endedAt: clock.now().toISOString() });
      logger.error('an app install failed', { appId, version, reason: message });
      await this.report(catalog, appId, { state: 'failed', version, message: message.slice(0, MAX_MESSAGE_CHARS) });
    } finally {
      await rm(file, { force: true }).catch((error: unknown) => logger.error('could not remove a package file', { file, reason: messageOf(error) }));
    }
  }

  /** Tells the server where an install is; a failure to tell it is logged, never thrown. */
  private async report(catalog: CatalogApi, appId: string, report: Omit<InstallReport, 'at'>): Promise<void> {
    try {
      await catalog.reportInstall(appId, { ...report, at: this.context.ports.clock.now().toISOString() });
    } catch (error) {
      this.context.ports.logger.warn('could not report an install to the server', { appId, state: report.state, reason: messageOf(error) });
    }
  }

  private bytes(appId: string, receivedBytes: number): void {
    const current = this.installs.get(appId);
    if (current === undefined) return;
    this.installs.set(appId, { ...current, receivedBytes });
    const now = this.context.ports.clock.now().getTime();
    if (now - this.lastBytesEmit < PROGRESS_INTERVAL_MS) return;
    this.lastBytesEmit = now;
    this.emit();
  }

  private change(appId: string, change: Partial<InstallProgress>): void {
    const current = this.installs.get(appId);
    if (current !== undefined) this.set({ ...current, ...change });
  }

  private set(progress: InstallProgress): InstallProgress {
    this.installs.set(progress.appId, progress);
    this.options.onInstallState?.(progress.appId, catalogStateOf(progress.phase));
    this.emit();
    return progress;
  }

  private emit(): void {
    const installs = this.list();
    for (const listener of this.listeners) {
      try {
        listener(installs);
      } catch (error) {
        this.context.ports.logger.warn('an installs listener failed', { reason: messageOf(error) });
      }
    }
  }
}

/** An install's phase as the catalog's install state, the one the agent reports to the server. */
function catalogStateOf(phase: InstallProgress['phase']): InstallState {
  if (phase === 'installed' || phase === 'failed') return phase;
  return 'installing';
}

/** The kept tenant CRL as the verifier asks it. */
function revocationsOf(state: AgentState): { isRevoked(serial: string): boolean } {
  const revoked = new Set(state.replay.revocation?.revokedSerials ?? []);
  return { isRevoked: (serial) => revoked.has(normalizeSerial(serial)) };
}
