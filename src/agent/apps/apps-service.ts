// Apps@Work in the agent service (issue 11): the catalog, reviews, installs and retiring the device; AgentService delegates these methods here.
import type { InstallProgress, MethodArgs, MethodResult } from '../../shared/agent-service-contract';
import type { Installer } from '../core/ports';
import { deviceApiServiceError } from '../transport/device-api-errors';
import { deviceInService, type AppsContext } from './apps-context';
import { CatalogApi } from './catalog-api';
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
}

export class AppsService {
  private readonly installs: InstallManager;

  constructor(
    private readonly context: AppsContext,
    options: AppsOptions,
  ) {
    this.installs = new InstallManager(context, { ...options, installer: options.installer ?? platformInstaller() });
  }

  getCatalog(...[query]: MethodArgs<'getCatalog'>): Promise<MethodResult<'getCatalog'>> {
    return this.call('get the catalog', (catalog) => catalog.getCatalog(query));
  }

  getAppDetails(...[appId]: MethodArgs<'getAppDetails'>): Promise<MethodResult<'getAppDetails'>> {
    return this.call('get an app', (catalog) => catalog.getAppDetails(appId));
  }

  getReviews(...[appId, query]: MethodArgs<'getReviews'>): Promise<MethodResult<'getReviews'>> {
    return this.call('get reviews', (catalog) => catalog.getReviews(appId, query));
  }

  saveReview(...[appId, review]: MethodArgs<'saveReview'>): Promise<MethodResult<'saveReview'>> {
    return this.call('save a review', (catalog) => catalog.saveReview(appId, review));
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

  /** Asks the server to retire this device, then stops its check-ins; a refusal leaves the device as it was. */
  async retireDevice(): Promise<MethodResult<'retireDevice'>> {
    const retiredAt = await this.call('retire the device', (catalog) => catalog.retire(RETIRE_REASON));
    await this.context.markRetired(retiredAt);
    this.context.ports.logger.warn('the server retired this device at its request; it checks in no more', { retiredAt });
    return { retiredAt };
  }

  /** One catalog call for the enrolled device; a failure is a ServiceError, logged. */
  private async call<T>(what: string, action: (catalog: CatalogApi) => Promise<T>): Promise<T> {
    const { state, api } = await deviceInService(this.context);
    try {
      return await action(new CatalogApi(api, state.deviceId));
    } catch (error) {
      const refused = deviceApiServiceError(error);
      this.context.ports.logger.warn(`${what} failed`, { code: refused.code, reason: refused.message });
      throw refused;
    }
  }
}
