// Test fixture: a real server on a temp data folder, device keys, and helpers for admin and device calls.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { ENROLL_SUBJECT, signDeviceToken } from '../../src/shared/node/device-token';
import { generateP256PrivateKey } from '../../src/shared/node/p256-key';
import { DEVICE_API_PREFIX, DevicePublicJwkSchema, type DevicePublicJwk, type EnrollResponse } from '../../src/shared/protocol';
import { openDatabase, type Db } from '../../src/server/db/database';
import { startServer, type AtworkServer, type ServerOptions } from '../../src/server/app/server-app';
import { createTestDatabase, type Backend, type TestDatabase } from '../support/test-databases';

export const ADMIN = '/api/admin/v1';
export const DEVICE = DEVICE_API_PREFIX;

export interface DeviceKeys {
  privateKey: KeyObject;
  publicJwk: DevicePublicJwk;
}

export function newDeviceKeys(): DeviceKeys {
  const privateKey = generateP256PrivateKey();
  return { privateKey, publicJwk: DevicePublicJwkSchema.parse(createPublicKey(privateKey).export({ format: 'jwk' })) };
}

export async function makeTempDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'atwork-server-test-'));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** A started server on its own temp data folder, plus helpers bound to it. */
export class TestServer {
  private constructor(
    readonly server: AtworkServer,
    readonly dataDir: string,
    readonly adminToken: string,
    private readonly database: TestDatabase,
  ) {}

  /** Starts a server on a fresh data folder and, for PostgreSQL, a fresh database. */
  static async start(options: Partial<ServerOptions> & { backend?: Backend } = {}): Promise<TestServer> {
    const { backend = 'sqlite', ...serverOptions } = options;
    const dataDir = serverOptions.dataDir ?? path.join(await makeTempDir(), 'data');
    const database = await createTestDatabase(backend);
    const server = await startServer({ ...serverOptions, dataDir, databaseUrl: database.databaseUrl });
    if (server.createdAdminToken === null) throw new Error('the fixture expects a fresh data folder');
    return new TestServer(server, dataDir, server.createdAdminToken, database);
  }

  async stop(): Promise<void> {
    await this.server.close();
    await this.database.drop();
    await removeDir(path.dirname(this.dataDir));
  }

  /** Runs `work` on a second connection to the server's database, to look behind the API. */
  async query<T>(work: (db: Db) => Promise<T>): Promise<T> {
    const db = openDatabase({ dataDir: this.dataDir, databaseUrl: this.database.databaseUrl });
    try {
      return await work(db);
    } finally {
      await db.destroy();
    }
  }

  admin(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown): Promise<LightMyRequestResponse> {
    return this.server.app.inject({
      method,
      url: `${ADMIN}${url}`,
      headers: { authorization: `Bearer ${this.adminToken}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  }

  /** Admin call that must succeed; returns the JSON body. */
  async adminOk<T = Record<string, unknown>>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown): Promise<T> {
    const response = await this.admin(method, url, payload);
    if (response.statusCode >= 300) throw new Error(`${method} ${url} -> ${response.statusCode} ${response.body}`);
    return response.json<T>();
  }

  async createUserWithPin(username: string): Promise<{ userId: string; pin: string }> {
    const user = await this.adminOk<{ id: string }>('POST', '/users', { username });
    const { pin } = await this.adminOk<{ pin: string }>('POST', `/users/${user.id}/registration-pins`, {});
    return { userId: user.id, pin };
  }

  async enroll(keys: DeviceKeys, username: string, pin: string, proofKey: KeyObject | null = keys.privateKey): Promise<LightMyRequestResponse> {
    const headers = proofKey ? { authorization: `Bearer ${await signDeviceToken(proofKey, ENROLL_SUBJECT)}` } : {};
    return this.server.app.inject({
      method: 'POST',
      url: `${DEVICE}/enroll`,
      headers,
      payload: {
        method: 'pin',
        username,
        pin,
        publicKey: keys.publicJwk,
        device: { name: `Mac of ${username}`, osName: 'macOS', osVersion: '15.1', model: 'Mac15,3', serialNumber: null, agentVersion: '0.1.0' },
      },
    });
  }

  /** Enrolls a device with an enrollment token (issue 12), its proof signed at `at`. */
  async enrollWithToken(token: unknown, keys: DeviceKeys = newDeviceKeys(), name = 'Lab Mac', at = new Date()): Promise<LightMyRequestResponse> {
    return this.server.app.inject({
      method: 'POST',
      url: `${DEVICE}/enroll`,
      headers: { authorization: `Bearer ${await signDeviceToken(keys.privateKey, ENROLL_SUBJECT, at)}` },
      payload: {
        method: 'token',
        token,
        publicKey: keys.publicJwk,
        device: { name, osName: 'macOS', osVersion: '15.2', model: 'Mac16,10', serialNumber: 'C02TEST', agentVersion: '0.4.0' },
      },
    });
  }

  /** Creates a user and PIN and enrolls a new device with fresh keys. */
  async enrolledDevice(username: string): Promise<{ deviceId: string; keys: DeviceKeys; enrollment: EnrollResponse }> {
    const { pin } = await this.createUserWithPin(username);
    const keys = newDeviceKeys();
    const response = await this.enroll(keys, username, pin);
    if (response.statusCode !== 200) throw new Error(`enroll -> ${response.statusCode} ${response.body}`);
    const enrollment = response.json<EnrollResponse>();
    return { deviceId: enrollment.deviceId, keys, enrollment };
  }

  async device(
    keys: DeviceKeys,
    deviceId: string,
    method: 'GET' | 'POST',
    url: string,
    payload?: unknown,
  ): Promise<LightMyRequestResponse> {
    return this.server.app.inject({
      method,
      url: `${DEVICE}${url}`,
      headers: { authorization: `Bearer ${await signDeviceToken(keys.privateKey, deviceId)}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  }

  /** Creates a bash script and a script configuration for it; returns their ids. */
  async createScriptConfiguration(
    body: string,
    distribution: 'everyone' | 'none',
  ): Promise<{ scriptId: string; configurationId: string }> {
    const script = await this.adminOk<{ id: string }>('POST', '/scripts', { name: 'Hello', type: 'bash', body });
    const configuration = await this.adminOk<{ id: string }>('POST', '/script-configurations', {
      name: 'Hello once',
      scriptId: script.id,
      schedule: { kind: 'once' },
      variables: { GREETING: 'hello' },
      distribution: { kind: distribution },
    });
    return { scriptId: script.id, configurationId: configuration.id };
  }

  async distributeSystemDefaultAgentConfiguration(): Promise<void> {
    const { agentConfigurations } = await this.adminOk<{ agentConfigurations: { id: string; systemDefault: boolean }[] }>(
      'GET',
      '/agent-configurations',
    );
    const systemDefault = agentConfigurations.find((c) => c.systemDefault);
    if (!systemDefault) throw new Error('no system default agent configuration');
    await this.adminOk('PUT', `/agent-configurations/${systemDefault.id}/distribution`, { kind: 'everyone' });
  }
}
