// Every admin API route's spec in one list: the source of the OpenAPI document and of the `atwork-server admin` commands.
import { AGENT_CONFIGURATION_ROUTES } from './admin-agent-configuration-routes';
import { AUDIT_ROUTES } from './admin-audit-routes';
import { DEVICE_ROUTES } from './admin-device-routes';
import { DEVICE_GROUP_ROUTES, USER_GROUP_ROUTES } from './admin-group-routes';
import type { AdminRouteSpec } from './admin-route';
import { SCRIPT_CONFIGURATION_ROUTES } from './admin-script-configuration-routes';
import { SCRIPT_ROUTES } from './admin-script-routes';
import { SIGNING_CERTIFICATE_ROUTES } from './admin-signing-certificate-routes';
import { TOKEN_ROUTES } from './admin-token-routes';
import { USER_ROUTES } from './admin-user-routes';

export const ADMIN_API_ROUTES: readonly AdminRouteSpec[] = [
  USER_ROUTES,
  USER_GROUP_ROUTES,
  DEVICE_ROUTES,
  DEVICE_GROUP_ROUTES,
  SCRIPT_ROUTES,
  AGENT_CONFIGURATION_ROUTES,
  SCRIPT_CONFIGURATION_ROUTES,
  AUDIT_ROUTES,
  TOKEN_ROUTES,
  SIGNING_CERTIFICATE_ROUTES,
].flatMap((group) => Object.values(group) as AdminRouteSpec[]);
