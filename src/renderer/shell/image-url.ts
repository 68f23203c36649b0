// Where a catalog image is: served by the enrolled server by its sha256, no device token needed.
import { CATALOG_IMAGE_PATH } from '../../shared/device-api-paths';

export function imageUrl(serverUrl: string, sha256: string): string {
  return `${serverUrl.replace(/\/+$/, '')}${CATALOG_IMAGE_PATH}/${sha256}`;
}
