// The shapes apps are answered in: the administrator's full view, and a device's summary and details (the wire contract).
import type { AppDetails, AppSummary, CatalogImage, InstallState, RatingSummary, Review, Screenshot } from '../../shared/catalog-protocol';
import { AppPrioritySchema, AppTypeSchema } from '../../shared/catalog-protocol';
import { readDistribution } from '../configurations/distribution';
import type { AppRow } from './app-queries';

// Made once: a `.catch()` builds a new schema, and a catalog page summarises a hundred apps.
const StoredType = AppTypeSchema.catch('pkg');
const StoredPriority = AppPrioritySchema.catch('normal');

/** The package a pkg app installs, or null for one without (App Store, Packager, or not uploaded yet). */
export function appPackage(app: AppRow): { sha256: string; size: number } | null {
  return app.package_sha256 === null || app.package_size === null ? null : { sha256: app.package_sha256, size: Number(app.package_size) };
}

export interface AppMedia {
  icon: CatalogImage | null;
  screenshots: Screenshot[];
}

export function adminAppView(app: AppRow, media: AppMedia) {
  return {
    id: app.id,
    name: app.name,
    bundleId: app.bundle_id,
    version: app.version,
    publisher: app.publisher,
    category: app.category,
    shortDescription: app.short_description,
    description: app.description,
    type: app.type,
    priority: app.priority,
    featured: app.featured === 1,
    silentInstall: app.silent_install === 1,
    removeOnUnenrollment: app.remove_on_unenrollment === 1,
    distribution: readDistribution(app.distribution),
    icon: media.icon,
    screenshots: media.screenshots,
    package: appPackage(app),
    createdAt: app.created_at,
    updatedAt: app.updated_at,
  };
}

/** What the audit trail keeps of an app: everything but the long description (up to 10,000 characters in every entry). */
export function auditAppView(app: AppRow) {
  const { description: _description, ...view } = adminAppView(app, { icon: null, screenshots: [] });
  return { ...view, iconSha256: app.icon_sha256 };
}

export interface DeviceAppState {
  icon: CatalogImage | null;
  rating: RatingSummary;
  installState: InstallState;
}

export function appSummary(app: AppRow, state: DeviceAppState): AppSummary {
  return {
    id: app.id,
    name: app.name,
    publisher: app.publisher,
    category: app.category,
    version: app.version,
    shortDescription: app.short_description,
    type: StoredType.parse(app.type),
    priority: StoredPriority.parse(app.priority),
    featured: app.featured === 1,
    icon: state.icon,
    rating: { average: state.rating.average, count: state.rating.count },
    installState: state.installState,
  };
}

export function appDetails(app: AppRow, state: DeviceAppState & { screenshots: Screenshot[]; myReview: Review | null; installMessage: string | null }): AppDetails {
  return {
    ...appSummary(app, state),
    bundleId: app.bundle_id,
    description: app.description,
    size: app.type === 'pkg' ? (appPackage(app)?.size ?? null) : null,
    screenshots: state.screenshots,
    rating: state.rating,
    silentInstall: app.silent_install === 1,
    myReview: state.myReview,
    installMessage: state.installMessage,
  };
}
