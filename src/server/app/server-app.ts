// The reference server (DESIGN.md §9): opens the data folder, initialises it on first start, serves the admin and device APIs.
import type { AddressInfo } from 'node:net';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { acquireFolderLock, FolderLockedError } from '../../shared/node/folder-lock';
import { DEVICE_API_PREFIX } from '../../shared/protocol';
import { adminAgentConfigurationRoutes } from '../configurations/admin-agent-configuration-routes';
import { adminAppMediaRoutes } from '../catalog/admin-app-media-routes';
import { adminAppRoutes } from '../catalog/admin-app-routes';
import { requireAdminToken } from '../admin-api/admin-auth';
import { adminAuditRoutes } from '../audit/admin-audit-routes';
import { adminDeviceRoutes } from '../devices/admin-device-routes';
import { adminEnrollmentTokenRoutes } from '../devices/admin-enrollment-token-routes';
import { adminGroupRoutes } from '../users/admin-group-routes';
import { adminOpenApiDocument } from '../admin-api/admin-openapi';
import { adminScriptConfigurationRoutes } from '../configurations/admin-script-configuration-routes';
import { adminScriptRoutes } from '../scripts/admin-script-routes';
import { adminSigningCertificateRoutes } from '../pki/admin-signing-certificate-routes';
import { adminTokenRoutes } from '../admin-api/admin-token-routes';
import { adminUserRoutes } from '../users/admin-user-routes';
import { DEFAULT_CONNECTION_LIMITS, connectionServerOptions, installConnectionLimits, type ConnectionLimits } from './connection-limits';
import { createPrivateDatabaseFile, ensureDataDir, fileErrorReason } from './data-folder';
import { openDatabase, type Db } from '../db/database';
import { classifyDatabaseError, faultHttpError } from '../db/database-faults';
import { DatabaseHealth } from '../db/database-health';
import { DEFAULT_DEVICE_RATE_LIMITS, type DeviceRateLimits } from '../device-api/device-rate-limits';
import { deviceRoutes } from '../device-api/device-routes';
import { healthRoutes } from './health-routes';
import { frameworkErrors, installErrorHandlers } from './http-errors';
import type { ServerContext } from './server-context';
import { createServerLog, logRequests, type ServerLogOptions } from './server-log';
import { withStartupLock } from './startup-lock';
import { initialiseDataDir } from '../pki/tenant-setup';

export const ADMIN_API_PREFIX = '/api/admin/v1';
/** The lock file of the data folder (src/shared/node/folder-lock.ts): it names the process that serves from it. */
export const SERVER_LOCK_FILE = 'server.lock';
const BODY_LIMIT_BYTES = 1024 * 1024;

export interface ServerOptions {
  dataDir: string;
  /** `postgres://...` to keep the data in PostgreSQL; absent means SQLite in the data folder. */
  databaseUrl?: string;
  /** Structured request and error log; silent by default (tests, embedding code). */
  log?: ServerLogOptions;
  now?: () => Date;
  /** Device API rate limits, requests per minute; the defaults suit a real fleet, tests lower them. */
  deviceRateLimits?: Partial<DeviceRateLimits>;
  /** Request timeouts, connection cap and shutdown deadline; the defaults suit a real fleet, tests shorten them. */
  connectionLimits?: Partial<ConnectionLimits>;
}

export interface AtworkServer {
  app: FastifyInstance;
  /** Listens on host (default 127.0.0.1) and port (0 = free port); returns the base URL, e.g. http://127.0.0.1:41234 */
  listen(opts?: { host?: string; port?: number }): Promise<string>;
  /** Drains (new requests 503, in-flight ones finish within the deadline), then closes connections and the database. */
  close(): Promise<void>;
  /** Plain admin token, only when this start created it (first start); else null. */
  createdAdminToken: string | null;
}

interface AppParts {
  ctx: ServerContext;
  log: Logger;
  health: DatabaseHealth;
  deviceRateLimits: DeviceRateLimits;
  connectionLimits: ConnectionLimits;
}

function buildApp({ ctx, log, health, deviceRateLimits, connectionLimits }: AppParts): FastifyInstance {
  const app = Fastify({ loggerInstance: log, logController: new LogController({ disableRequestLogging: true }), bodyLimit: BODY_LIMIT_BYTES, frameworkErrors, ...connectionServerOptions(connectionLimits) });
  // First, so a draining server refuses before any other hook does work.
  const connections = installConnectionLimits(app, connectionLimits);
  logRequests(app);
  installErrorHandlers(app, {
    answer: (error) => {
      const fault = classifyDatabaseError(error);
      if (fault === null) return null;
      health.report(fault);
      return faultHttpError(fault, health.retryAfterSeconds);
    },
  });
  app.addHook('onClose', async () => {
    health.stop();
    await ctx.db.destroy();
  });
  healthRoutes(app, health, connections);
  void app.register(
    async (admin) => {
      requireAdminToken(admin, ctx.db);
      adminUserRoutes(admin, ctx);
      adminScriptRoutes(admin, ctx);
      adminAgentConfigurationRoutes(admin, ctx);
      adminScriptConfigurationRoutes(admin, ctx);
      adminAppRoutes(admin, ctx);
      adminAppMediaRoutes(admin, ctx);
      adminDeviceRoutes(admin, ctx);
      adminEnrollmentTokenRoutes(admin, ctx);
      adminSigningCertificateRoutes(admin, ctx);
      adminGroupRoutes(admin, ctx);
      adminAuditRoutes(admin, ctx);
      adminTokenRoutes(admin, ctx);
    },
    { prefix: ADMIN_API_PREFIX },
  );
  void app.register(async (device) => deviceRoutes(device, ctx, deviceRateLimits), { prefix: DEVICE_API_PREFIX });
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
  const notices = await ensureDataDir(options.dataDir);
  // One server process per data folder: two on one SQLite file both accepted writes, and first starts raced (issue 9).
  const folderLock = await acquireFolderLock(options.dataDir, { fileName: SERVER_LOCK_FILE, holderName: 'Atwork server' }).catch((error: unknown) => {
    if (error instanceof FolderLockedError) throw new Error(`${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}.`);
    throw new Error(`The data folder ${options.dataDir} cannot be written (${fileErrorReason(error)}); the server keeps its lock, database and logs there, so make it writable or choose another with --data-dir.`);
  });
  try {
    return await startLockedServer(options, notices, () => folderLock.release());
  } catch (error) {
    await folderLock.release();
    throw error;
  }
}

async function startLockedServer(options: ServerOptions, notices: string[], releaseLock: () => Promise<void>): Promise<AtworkServer> {
  const now = options.now ?? (() => new Date());
  const log = await createServerLog(options.dataDir, options.log);
  for (const notice of notices) log.warn(notice);
  const postgres = options.databaseUrl !== undefined && options.databaseUrl !== '';
  if (!postgres) await createPrivateDatabaseFile(options.dataDir);
  let health: DatabaseHealth | null = null;
  const db = openDatabase({ dataDir: options.dataDir, databaseUrl: options.databaseUrl }, (error) => {
    log.warn({ err: error }, 'a database connection failed');
    const fault = classifyDatabaseError(error);
    if (fault !== null) health?.report(fault);
  });
  let initialised;
  try {
    initialised = await withStartupLock(db, postgres, () => initialiseDataDir(db, options.dataDir, now()));
    await probeWrite(db, initialised.tenant.id).catch((error: unknown) => {
      throw new Error(`The database cannot be written (${(error as Error).message}); make it writable (disk space, permissions, a primary rather than a standby) and start again.`);
    });
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const tenantId = initialised.tenant.id;
  health = new DatabaseHealth({ read: () => probeRead(db), write: () => probeWrite(db, tenantId) }, log);
  const app = buildApp({
    ctx: { db, tenant: initialised.tenant, now },
    log,
    health,
    deviceRateLimits: { ...DEFAULT_DEVICE_RATE_LIMITS, ...options.deviceRateLimits },
    connectionLimits: { ...DEFAULT_CONNECTION_LIMITS, ...options.connectionLimits },
  });
  app.addHook('onClose', releaseLock);
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

async function probeRead(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}

/** Rewrites the tenant's name with itself: a real write (a new row version, a WAL frame) that changes nothing. */
async function probeWrite(db: Db, tenantId: string): Promise<void> {
  await db.updateTable('tenants').set((eb) => ({ name: eb.ref('name') })).where('id', '=', tenantId).execute();
}
