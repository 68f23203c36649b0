// Wire contract of Apps@Work on the device API (issue 11): the catalog a device may see, app details, images, reviews,
// installs. Both sides validate with these schemas; the agent service and the UI reuse the shapes.
import { z } from 'zod';
import { CATALOG_PATH } from './device-api-paths';
import { Text } from './input-bounds';

/**
 * The routes, all device-authenticated except the images:
 * - GET  CATALOG_PATH/apps?search&category&limit&offset   -> CatalogPage (only apps distributed to the device)
 * - GET  CATALOG_PATH/apps/:id                            -> AppDetails (404 when not distributed to it)
 * - GET  CATALOG_PATH/apps/:id/reviews?limit&offset       -> ReviewPage, newest first
 * - PUT  CATALOG_PATH/apps/:id/review   ReviewInput       -> Review (the device's user's one review, created or replaced)
 * - POST CATALOG_PATH/apps/:id/install-ticket             -> InstallTicketResponse (a signed package ticket)
 * - GET  CATALOG_PATH/apps/:id/package                    -> the package bytes; Range requests answered with 206
 * - POST CATALOG_PATH/apps/:id/install-report InstallReport -> 204, shown in the device's logs
 * - GET  CATALOG_IMAGE_PATH/:sha256                       -> the image, immutable, no device token needed
 * - POST RETIRE_PATH  RetireRequest                       -> RetireResult; the device's tokens are refused from then on
 * (The paths themselves are in device-api-paths.ts, which loads no zod.)
 */
export { CATALOG_IMAGE_PATH, CATALOG_PATH, RETIRE_PATH } from './device-api-paths';

/** Largest package the server stores and an agent downloads. */
export const MAX_PACKAGE_BYTES = 2 * 1024 * 1024 * 1024;
/** Largest icon or screenshot accepted on upload. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/** Largest decoded width or height of an image accepted on upload. */
export const MAX_IMAGE_DIMENSION = 4096;
export const MAX_SCREENSHOTS = 10;
export const CATALOG_PAGE_LIMIT = 100;
export const REVIEW_PAGE_LIMIT = 50;

export const AppTypeSchema = z.enum(['pkg', 'packager', 'app-store']);
export type AppType = z.infer<typeof AppTypeSchema>;
export const AppPrioritySchema = z.enum(['high', 'normal']);

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const AppId = z.string().min(1).max(64);
const Iso = z.iso.datetime({ offset: true });

/** An image as the catalog names it: its hash (the path under CATALOG_IMAGE_PATH) and its decoded size. */
export const CatalogImageSchema = z.object({
  sha256: Sha256,
  width: z.number().int().min(1).max(4096),
  height: z.number().int().min(1).max(4096),
  /** The server-made thumbnail's hash; the same as sha256 for an image already small. */
  thumbnailSha256: Sha256,
});
export type CatalogImage = z.infer<typeof CatalogImageSchema>;

export const ScreenshotSchema = CatalogImageSchema.extend({ caption: z.string().max(200) });
export type Screenshot = z.infer<typeof ScreenshotSchema>;

export const RatingSummarySchema = z.object({
  /** Mean of the visible reviews' stars, null when there is none. */
  average: z.number().min(1).max(5).nullable(),
  count: z.number().int().min(0),
  /** How many visible reviews gave 1, 2, 3, 4 and 5 stars, in that order. */
  histogram: z.tuple([z.number().int(), z.number().int(), z.number().int(), z.number().int(), z.number().int()]),
});
export type RatingSummary = z.infer<typeof RatingSummarySchema>;

/** What the device last reported of an app, or what the server knows of it. */
export const InstallStateSchema = z.enum(['not_installed', 'installing', 'installed', 'failed']);
export type InstallState = z.infer<typeof InstallStateSchema>;

export const AppSummarySchema = z.object({
  id: AppId,
  name: z.string().max(200),
  publisher: z.string().max(200),
  category: z.string().max(100),
  version: z.string().max(50),
  shortDescription: z.string().max(300),
  type: AppTypeSchema,
  priority: AppPrioritySchema,
  featured: z.boolean(),
  icon: CatalogImageSchema.nullable(),
  rating: RatingSummarySchema.pick({ average: true, count: true }),
  installState: InstallStateSchema,
});
export type AppSummary = z.infer<typeof AppSummarySchema>;

export const CatalogQuerySchema = z.object({
  search: Text(100).optional(),
  category: Text(100).optional(),
  limit: z.coerce.number().int().min(1).max(CATALOG_PAGE_LIMIT).default(CATALOG_PAGE_LIMIT),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type CatalogQuery = z.infer<typeof CatalogQuerySchema>;

export const CatalogPageSchema = z.object({
  apps: z.array(AppSummarySchema).max(CATALOG_PAGE_LIMIT),
  page: z.object({ limit: z.number().int(), offset: z.number().int(), total: z.number().int() }),
  /** Every category of the apps distributed to this device, whatever the search. */
  categories: z.array(z.string().max(100)).max(200),
});
export type CatalogPage = z.infer<typeof CatalogPageSchema>;

export const AppDetailsSchema = AppSummarySchema.extend({
  bundleId: z.string().max(200),
  description: z.string().max(10_000),
  /** Package size in bytes, null for an app the device does not install from a package (App Store). */
  size: z.number().int().min(0).max(MAX_PACKAGE_BYTES).nullable(),
  screenshots: z.array(ScreenshotSchema).max(MAX_SCREENSHOTS),
  rating: RatingSummarySchema,
  silentInstall: z.boolean(),
  /** The device's user's own review, to edit. */
  myReview: z.lazy(() => ReviewSchema).nullable(),
  /** Why the last install failed, as the device reported it. */
  installMessage: z.string().max(1000).nullable(),
});
export type AppDetails = z.infer<typeof AppDetailsSchema>;

export const ReviewInputSchema = z.strictObject({
  rating: z.number().int().min(1).max(5),
  title: Text(100),
  text: Text(2000),
});
export type ReviewInput = z.infer<typeof ReviewInputSchema>;

export const ReviewSchema = ReviewInputSchema.extend({
  id: z.string().max(64),
  author: z.string().max(200),
  createdAt: Iso,
  updatedAt: Iso,
});
export type Review = z.infer<typeof ReviewSchema>;

export const ReviewQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(REVIEW_PAGE_LIMIT).default(10),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const ReviewPageSchema = z.object({
  reviews: z.array(ReviewSchema).max(REVIEW_PAGE_LIMIT),
  page: z.object({ limit: z.number().int(), offset: z.number().int(), total: z.number().int() }),
});
export type ReviewPage = z.infer<typeof ReviewPageSchema>;

/** What an agent reports of an install; the server keeps the latest per device and app, and logs each as a device event. */
export const InstallReportSchema = z.strictObject({
  state: z.enum(['installing', 'installed', 'failed']),
  version: Text(50),
  at: Iso,
  message: Text(1000).nullable(),
});
export type InstallReport = z.infer<typeof InstallReportSchema>;

/** `typ` of a package ticket: a JWS (ES256, x5c chain to the tenant root, like script tickets) naming one package. */
export const PACKAGE_TICKET_TYPE = 'atwork-package+jwt';

/**
 * Claims of a package ticket, the signed part of an install: the agent installs only the bytes whose size and sha256
 * the tenant signed, so any mirror or CDN in front of the server cannot swap the package.
 */
export const PackageTicketClaimsSchema = z.object({
  iss: z.string().min(1),
  /** The device id the ticket is for. */
  aud: z.string().min(1),
  iat: z.number().int(),
  exp: z.number().int(),
  appId: AppId,
  name: z.string().max(200),
  version: z.string().max(50),
  bundleId: z.string().max(200),
  package: z.object({
    /** Path on the enrolled server to download from (ranged requests allowed). */
    path: z.string().startsWith(`${CATALOG_PATH}/apps/`).regex(/^[A-Za-z0-9/_.-]+$/).max(200),
    sha256: Sha256,
    size: z.number().int().min(1).max(MAX_PACKAGE_BYTES),
  }),
  silentInstall: z.boolean(),
});
export type PackageTicketClaims = z.infer<typeof PackageTicketClaimsSchema>;

/** The answer to "install this app": a package ticket to verify, download and install. */
export const InstallTicketResponseSchema = z.object({ ticket: z.string().min(1).max(16 * 1024) });

export const RetireRequestSchema = z.strictObject({ reason: Text(200) });
export const RetireResponseSchema = z.object({ retiredAt: Iso });
