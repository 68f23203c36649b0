// The reference server (DESIGN.md §9): opens the data folder, initialises it on first start, serves the admin and device APIs.
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { DEVICE_API_PREFIX } from '../shared/protocol';
import { adminAgentConfigurationRoutes } from './admin-agent-configuration-routes';
import { requireAdminToken } from './admin-auth';
import { adminAuditRoutes } from './admin-audit-routes';
import { adminDeviceRoutes } from './admin-device-routes';
import { adminGroupRoutes } from './admin-group-routes';
import { adminOpenApiDocument } from './admin-openapi';
import { adminScriptConfigurationRoutes } from './admin-script-configuration-routes';
import { adminScriptRoutes } from './admin-script-routes';
import { adminSigningCertificateRoutes } from './admin-signing-certificate-routes';
import { adminTokenRoutes } from './admin-token-routes';
import { adminUserRoutes } from './admin-user-routes';
import { openDatabase } from './database';
import { DEFAULT_DEVICE_RATE_LIMITS, type DeviceRateLimits } from './device-rate-limits';
import { deviceInventoryRoutes } from './device-inventory-routes';
import { deviceRoutes } from './device-routes';
import { installErrorHandlers } from './http-errors';
import type { ServerContext } from './server-context';
import { withStartupLock } from './startup-lock';
import { ensureDataDir, initialiseDataDir } from './tenant-setup';

export const ADMIN_API_PREFIX = '/api/admin/v1';
const BODY_LIMIT_BYTES = 1024 * 1024;

export interface ServerOptions {
  dataDir: string;
  /** `postgres://...` to keep the data in PostgreSQL; absent means SQLite in the data folder. */
  databaseUrl?: string;
  logger?: boolean;
  now?: () => Date;
  /** Device API rate limits, requests per minute; the defaults suit a real fleet, tests lower them. */
  deviceRateLimits?: Partial<DeviceRateLimits>;
}

export interface AtworkServer {
  app: FastifyInstance;
  /** Listens on host (default 127.0.0.1) and port (0 = free port); returns the base URL, e.g. http://127.0.0.1:41234 */
  listen(opts?: { host?: string; port?: number }): Promise<string>;
  close(): Promise<void>;
  /** Plain admin token, only when this start created it (first start); else null. */
  createdAdminToken: string | null;
}

function buildApp(ctx: ServerContext, logger: boolean, deviceRateLimits: DeviceRateLimits): FastifyInstance {
  const app = Fastify({ logger, bodyLimit: BODY_LIMIT_BYTES });
  installErrorHandlers(app);
  app.addHook('onClose', async () => {
    await ctx.db.destroy();
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  void app.register(
    async (admin) => {
      requireAdminToken(admin, ctx.db);
      adminUserRoutes(admin, ctx);
      adminScriptRoutes(admin, ctx);
      adminAgentConfigurationRoutes(admin, ctx);
      adminScriptConfigurationRoutes(admin, ctx);
      adminDeviceRoutes(admin, ctx);
      adminSigningCertificateRoutes(admin, ctx);
      adminGroupRoutes(admin, ctx);
      adminAuditRoutes(admin, ctx);
      adminTokenRoutes(admin, ctx);
    },
    { prefix: ADMIN_API_PREFIX },
  );
  void app.register(async (device) => deviceRoutes(device, ctx, deviceRateLimits), { prefix: DEVICE_API_PREFIX });
  void app.register(async (device) => deviceInventoryRoutes(device, ctx), { prefix: DEVICE_API_PREFIX });
  // Public like any API reference: it describes the routes and holds nothing secret.
  const openApi = adminOpenApiDocument(ADMIN_API_PREFIX, '1');
  app.get(`${ADMIN_API_PREFIX}/openapi.json`, async () => openApi);
  return app;
}

function baseUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Starts the server on a data folder, creating the tenant, its keys and the admin token on first start. */
export async function startServer(options: ServerOptions): Promise<AtworkServer> {
  const now = options.now ?? (() => new Date());
  await ensureDataDir(options.dataDir);
  const db = openDatabase({ dataDir: options.dataDir, databaseUrl: options.databaseUrl });
  let initialised;
  try {
    const postgres = options.databaseUrl !== undefined && options.databaseUrl !== '';
    initialised = await withStartupLock(db, postgres, () => initialiseDataDir(db, options.dataDir, now()));
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const app = buildApp({ db, tenant: initialised.tenant, now }, options.logger ?? false, { ...DEFAULT_DEVICE_RATE_LIMITS, ...options.deviceRateLimits });
  await app.ready();
  return {
    app,
    createdAdminToken: initialised.createdAdminToken,
    async listen(opts = {}) {
      const host = opts.host ?? '127.0.0.1';
      await app.listen({ host, port: opts.port ?? 0 });
      return baseUrl(host, (app.server.address() as AddressInfo).port);
    },
    close: () => app.close(),
  };
}
