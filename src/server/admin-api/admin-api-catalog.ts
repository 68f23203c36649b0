// Every admin API route's spec in one list: the source of the OpenAPI document and of the `atwork-server admin` commands.
import { APP_MEDIA_ROUTES } from '../catalog/admin-app-media-routes';
import { APP_ROUTES } from '../catalog/admin-app-routes';
import { AGENT_CONFIGURATION_ROUTES } from '../configurations/admin-agent-configuration-routes';
import { AUDIT_ROUTES } from '../audit/admin-audit-routes';
import { DEVICE_ROUTES } from '../devices/admin-device-routes';
import { ENROLLMENT_TOKEN_ROUTES } from '../devices/admin-enrollment-token-routes';
import { DEVICE_GROUP_ROUTES, USER_GROUP_ROUTES } from '../users/admin-group-routes';
import type { AdminRouteSpec } from './admin-route';
import { SCRIPT_CONFIGURATION_ROUTES } from '../configurations/admin-script-configuration-routes';
import { SCRIPT_ROUTES } from '../scripts/admin-script-routes';
import { SIGNING_CERTIFICATE_ROUTES } from '../pki/admin-signing-certificate-routes';
import { TOKEN_ROUTES } from './admin-token-routes';
import { USER_ROUTES } from '../users/admin-user-routes';

export const ADMIN_API_ROUTES: readonly AdminRouteSpec[] = [
  USER_ROUTES,
  USER_GROUP_ROUTES,
  DEVICE_ROUTES,
  ENROLLMENT_TOKEN_ROUTES,
  DEVICE_GROUP_ROUTES,
  SCRIPT_ROUTES,
  AGENT_CONFIGURATION_ROUTES,
  SCRIPT_CONFIGURATION_ROUTES,
  APP_ROUTES,
  APP_MEDIA_ROUTES,
  AUDIT_ROUTES,
  TOKEN_ROUTES,
  SIGNING_CERTIFICATE_ROUTES,
].flatMap((group) => Object.values(group) as AdminRouteSpec[]);
