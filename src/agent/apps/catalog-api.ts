// The Apps@Work routes of the device API (catalog-protocol.ts), each signed with the device key and its answer validated before use.
import {
  AppDetailsSchema,
  CATALOG_PATH,
  CatalogPageSchema,
  InstallTicketResponseSchema,
  RETIRE_PATH,
  RetireResponseSchema,
  ReviewPageSchema,
  ReviewSchema,
  type AppDetails,
  type CatalogPage,
  type CatalogQuery,
  type InstallReport,
  type Review,
  type ReviewInput,
  type ReviewPage,
} from '../../shared/catalog-protocol';
import type { DeviceApiClient } from '../transport/device-api-client';

type ReviewQuery = { limit: number; offset: number };

export class CatalogApi {
  constructor(
    private readonly api: DeviceApiClient,
    private readonly deviceId: string,
  ) {}

  getCatalog(query: CatalogQuery): Promise<CatalogPage> {
    const params = new URLSearchParams({ limit: String(query.limit), offset: String(query.offset) });
    if (query.search !== undefined) params.set('search', query.search);
    if (query.category !== undefined) params.set('category', query.category);
    return this.api.callJson('get the catalog', 'GET', `${CATALOG_PATH}/apps?${params}`, this.deviceId, undefined, CatalogPageSchema);
  }

  getAppDetails(appId: string): Promise<AppDetails> {
    return this.api.callJson('get the app', 'GET', appPath(appId), this.deviceId, undefined, AppDetailsSchema);
  }

  getReviews(appId: string, query: ReviewQuery): Promise<ReviewPage> {
    const params = new URLSearchParams({ limit: String(query.limit), offset: String(query.offset) });
    return this.api.callJson('get the reviews', 'GET', `${appPath(appId)}/reviews?${params}`, this.deviceId, undefined, ReviewPageSchema);
  }

  saveReview(appId: string, review: ReviewInput): Promise<Review> {
    return this.api.callJson('save the review', 'PUT', `${appPath(appId)}/review`, this.deviceId, review, ReviewSchema);
  }

  /** The signed package ticket of an app, not yet verified. */
  async installTicket(appId: string): Promise<string> {
    return (await this.api.callJson('get the install ticket', 'POST', `${appPath(appId)}/install-ticket`, this.deviceId, {}, InstallTicketResponseSchema)).ticket;
  }

  reportInstall(appId: string, report: InstallReport): Promise<void> {
    return this.api.callJson('report the install', 'POST', `${appPath(appId)}/install-report`, this.deviceId, report, null);
  }

  async retire(reason: string): Promise<string> {
    return (await this.api.callJson('retire the device', 'POST', RETIRE_PATH, this.deviceId, { reason }, RetireResponseSchema)).retiredAt;
  }
}

function appPath(appId: string): string {
  return `${CATALOG_PATH}/apps/${encodeURIComponent(appId)}`;
}
