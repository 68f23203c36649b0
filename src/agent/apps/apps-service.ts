// Apps@Work in the agent service (issue 11): the catalog, reviews, installs and retiring the device; AgentService delegates these methods here.
import type { InstallProgress, MethodArgs, MethodResult } from '../../shared/agent-service-contract';
import type { AgentState } from '../core/agent-state';
import type { Installer } from '../core/ports';
import { deviceApiServiceError } from '../transport/device-api-errors';
import { deviceInService, type AppsContext } from './apps-context';
import { CatalogApi } from './catalog-api';
import { CatalogSnapshot } from './catalog-snapshot';
import { DeviceRetirement, refusedAsRetired, type RetirementOptions } from './device-retirement';
import { InstallManager } from './install-manager';
import { platformInstaller } from './package-installer';

/** Why the device asks to be retired, as the server's log shows it. */
const RETIRE_REASON = 'Retired from the device (About > Uninstall).';

export interface AppsOptions {
  /** The private folder (0700) packages are downloaded to, under the state folder; without one the agent installs nothing. */
  packageDir?: string;
  /** Default: this machine's installer (package-installer.ts). */
  installer?: Installer;
  /** Download tuning, for tests (package-download.ts). */
  idleTimeoutMs?: number;
  resumeDelayMs?: number;
  /** What retiring removes: the state folder, the uninstall script (device-retirement.ts). */
  retirement?: RetirementOptions;
}

export class AppsService {
  private readonly installs: InstallManager;
  private readonly snapshot: CatalogSnapshot;
  private readonly retirement: DeviceRetirement;

  constructor(
    private readonly context: AppsContext,
    options: AppsOptions,
  ) {
    this.snapshot = new CatalogSnapshot(context.ports.clock, context.ports.logger);
    this.installs = new InstallManager(context, {
      ...options,
      installer: options.installer ?? platformInstaller(),
      onInstallState: (appId, state) => this.snapshot.setInstallState(appId, state),
    });
    this.retirement = new DeviceRetirement(context, { packageDir: options.packageDir, ...options.retirement }, () => this.installs.list());
  }

  /** From the agent's copy of the catalog when it is current, else from the server (and a copy is made meanwhile). */
  getCatalog(...[query]: MethodArgs<'getCatalog'>): Promise<MethodResult<'getCatalog'>> {
    return this.call('get the catalog', async (catalog, state) => {
      const owner = `${state.serverUrl} ${state.deviceId}`;
      const copied = this.snapshot.answer(owner, query);
      if (copied !== null) return copied;
      const page = await catalog.getCatalog(query);
      this.snapshot.load(owner, (pageQuery) => catalog.getCatalog(pageQuery));
      return page;
    });
  }

  /** A check-in may bring apps, distributions and other users' reviews: the copy of the catalog is made again. */
  checkedIn(): void {
    this.snapshot.invalidate();
  }

  getAppDetails(...[appId]: MethodArgs<'getAppDetails'>): Promise<MethodResult<'getAppDetails'>> {
    return this.call('get an app', (catalog) => catalog.getAppDetails(appId));
  }

  getReviews(...[appId, query]: MethodArgs<'getReviews'>): Promise<MethodResult<'getReviews'>> {
    return this.call('get reviews', (catalog) => catalog.getReviews(appId, query));
  }

  /** A saved review changes the app's rating, so the copy of the catalog goes. */
  async saveReview(...[appId, review]: MethodArgs<'saveReview'>): Promise<MethodResult<'saveReview'>> {
    const saved = await this.call('save a review', (catalog) => catalog.saveReview(appId, review));
    this.snapshot.invalidate();
    return saved;
  }

  installApp(...[appId]: MethodArgs<'installApp'>): Promise<InstallProgress> {
    return this.installs.install(appId);
  }

  async getInstalls(): Promise<InstallProgress[]> {
    return this.installs.list();
  }

  onInstallsChanged(listener: (installs: InstallProgress[]) => void): () => void {
    return this.installs.onChanged(listener);
  }

  /** Asks the server to retire this device, then removes the agent (device-retirement.ts); a refusal leaves the device as it was. */
  async retireDevice(): Promise<MethodResult<'retireDevice'>> {
    const retiredAt = await this.call('retire the device', (catalog) => catalog.retire(RETIRE_REASON));
    this.snapshot.invalidate();
    await this.retirement.retiredAtUserRequest(retiredAt);
    return { retiredAt };
  }

  /** The server's retire command of a check-in answer (issue 13): confirmed to the server, then the agent removes itself. */
  carryOutRetireCommand(commandId: string): Promise<void> {
    return this.retirement.carryOut(commandId);
  }

  /**
   * A check-in the server refused: when it says the device is retired (forced by an admin), the agent removes itself,
   * on the work queue, since that waits for the check-in queue the refusal came on.
   */
  checkinRefused(error: unknown): void {
    if (refusedAsRetired(error)) this.context.work.enqueue('retire a device the server retired', () => this.retirement.refused());
  }

  /** One catalog call for the enrolled device; a failure is a ServiceError, logged. */
  private async call<T>(what: string, action: (catalog: CatalogApi, state: AgentState) => Promise<T>): Promise<T> {
    const { state, api } = await deviceInService(this.context);
    try {
      return await action(new CatalogApi(api, state.deviceId), state);
    } catch (error) {
      const refused = deviceApiServiceError(error);
      this.context.ports.logger.warn(`${what} failed`, { code: refused.code, reason: refused.message });
      throw refused;
    }
  }
}
