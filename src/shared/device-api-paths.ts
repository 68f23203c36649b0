// The device API's paths without its schemas, so the UI's first chunk can name them without loading zod.
export const DEVICE_API_PREFIX = '/api/device/v1';
export const CATALOG_PATH = `${DEVICE_API_PREFIX}/catalog`;
export const RETIRE_PATH = `${DEVICE_API_PREFIX}/retire`;
/**
 * Images (icons, screenshots, thumbnails) are served by their sha256 without device authentication, so the UI can load
 * them straight from the enrolled server (the CSP's img-src) and cache them for good: the hash is the capability, and
 * only hashes the catalog names are served (docs/security.md).
 */
export const CATALOG_IMAGE_PATH = `${DEVICE_API_PREFIX}/catalog-images`;
