// A fake device server for the agent service tests: it enrolls one device, hands out real tickets from the server's issuer, and serves Apps@Work (over real HTTP too).
import { createPrivateKey, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CompactSign } from 'jose';
import { afterEach, beforeAll } from 'vitest';
import { AgentService } from '../../src/agent/service/agent-service';
import type { CheckinReceiver } from '../../src/agent/service/checkin-receivers';
import { FileSecretStore } from '../../src/agent/state/file-secret-store';
import { FileStateStore } from '../../src/agent/state/file-state-store';
import { NodeSpawner } from '../../src/agent/runner/node-spawner';
import { HttpFailure, type Clock, type Installer } from '../../src/agent/core/ports';
import { FetchHttpClient } from '../../src/agent/transport/fetch-http-client';
import { systemClock } from '../../src/agent/service/system-clock';
import { createTenantPki, x5cEntry, type TenantPkiMaterial } from '../../src/server/pki/tenant-pki';
import { issueTicket, type TenantSigner } from '../../src/server/device-api/ticket-issuer';
import { DEFAULT_AGENT_CONFIG } from '../../src/shared/agent-config';
import { sealBlob, sha256Hex } from '../../src/shared/node/blob-cipher';
import { verifyDeviceToken } from '../../src/shared/node/device-token';
import {
  CATALOG_PATH,
  InstallReportSchema,
  PACKAGE_TICKET_TYPE,
  RETIRE_PATH,
  type InstallReport,
  type PackageTicketClaims,
  type Review,
} from '../../src/shared/catalog-protocol';
import { makeApp, makeAppDetails, makeReview } from '../support/fake-agent-service';
import { DEVICE_API_PREFIX, EnrollRequestSchema, ResultsRequestSchema, type DevicePublicJwk, type ScriptAssignment } from '../../src/shared/protocol';
import type { ScheduleSpec } from '../../src/shared/schedule';
import type { ScriptResult } from '../../src/shared/script-result';
import { FakeDeviceApi, recordingLogger, tempDir, type RecordedRequest } from './agent-test-kit';

export const TENANT_ID = 'tenant-1';
/** The tenant PKI the fake server signs with; set before the first test of a file that imports this module. */
export let pki: TenantPkiMaterial;
let otherPki: TenantPkiMaterial;

beforeAll(async () => {
  [pki, otherPki] = await Promise.all([createTenantPki(TENANT_ID, 'Test'), createTenantPki(TENANT_ID, 'Impostor')]);
});

const listening: Server[] = [];
afterEach(async () => {
  for (const server of listening.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

function signerOf(material: TenantPkiMaterial): TenantSigner {
  return {
    tenantId: TENANT_ID,
    signingKey: createPrivateKey(material.signingPrivateKeyPem),
    certificateChainPem: [material.signingCertificatePem, material.rootCertificatePem],
  };
}

export interface ConfigurationSpec {
  configurationId: string;
  version: number;
  script: string;
  variables?: Record<string, string>;
  schedule?: ScheduleSpec;
  /** Sign with another tenant root than the one the agent pinned. */
  forged?: boolean;
  /** Serve more bytes than the ticket signs. */
  oversizedBlob?: boolean;
  /** Let the blob download run into the HTTP port's deadline (a stalling or trickling server). */
  stalledBlob?: boolean;
  /** The ticket's max response size (default 1 KB). */
  maxResponseSizeKb?: number;
}

/** An app of the fake catalog: its package and how the server misbehaves with it. */
export interface FakeApp {
  id: string;
  name: string;
  version: string;
  /** The package the ticket signs. */
  package: Buffer;
  /** What the package route serves instead: a swapped or oversized package. */
  served?: Buffer;
  /** The first download of it drops the connection after this many bytes. */
  dropAfter?: number;
  /** A pause after each 16 KiB of the package: a slow network. */
  chunkDelayMs?: number;
  /** How its ticket is made wrong: changed claims, another algorithm, signed under another root. */
  ticket?: { claims?: Partial<PackageTicketClaims>; alg?: 'none' | 'HS256'; forged?: boolean };
}

/** One request the HTTP face of the fake server answered, as it arrived. */
export interface HttpCall {
  method: string;
  url: string;
  range: string | undefined;
}

/** A device API that enrolls one device and hands out freshly issued tickets for `configurations` at every check-in. */
export class FakeServer {
  readonly api = new FakeDeviceApi();
  readonly deviceId = randomUUID();
  readonly configurations: ConfigurationSpec[] = [];
  devicePublicJwk: DevicePublicJwk | null = null;
  /** Hand out the very same tickets at every check-in instead of fresh ones. */
  reuseTickets = false;
  nextCheckinSeconds = 900;
  private issued: ScriptAssignment[] | null = null;
  private seq = 0;
  private readonly blobs = new Map<string, Buffer>();
  readonly apps = new Map<string, FakeApp>();
  readonly reviews: Review[] = [makeReview()];
  /** Every request the HTTP face answered, query strings and ranges included. */
  readonly httpCalls: HttpCall[] = [];

  /** `now` is when tickets are issued: the agent's clock, so a test that moves it gets tickets valid at its time. */
  constructor(private readonly now: () => Date = () => new Date()) {
    this.api
      .on('POST', `${DEVICE_API_PREFIX}/enroll`, (request) => {
        this.devicePublicJwk = EnrollRequestSchema.parse(request.body).publicKey;
        return { status: 200, body: { deviceId: this.deviceId, tenantId: TENANT_ID, tenantRootCertificate: pki.rootCertificatePem, agentConfig: DEFAULT_AGENT_CONFIG } };
      })
      .on('POST', `${DEVICE_API_PREFIX}/checkin`, async () => ({
        status: 200,
        body: {
          agentConfig: DEFAULT_AGENT_CONFIG,
          scripts: await this.assignments(),
          commands: [],
          nextCheckinSeconds: this.nextCheckinSeconds,
          serverTime: this.now().toISOString(),
        },
      }))
      .on('POST', `${DEVICE_API_PREFIX}/results`, () => ({ status: 200, body: { accepted: 1 } }))
      .on('POST', `${DEVICE_API_PREFIX}/events`, () => ({ status: 200, body: { accepted: 1 } }))
      .on('GET', `${CATALOG_PATH}/apps`, () => ({
        status: 200,
        body: { apps: [...this.apps.values()].map((app) => makeApp({ id: app.id, name: app.name, version: app.version })), page: { limit: 100, offset: 0, total: this.apps.size }, categories: ['Productivity'] },
      }))
      .on('POST', RETIRE_PATH, () => ({ status: 200, body: { retiredAt: this.now().toISOString() } }));
  }

  /** Adds an app to the catalog with its routes: details, reviews, install ticket and report; its package is served over HTTP. */
  addApp(app: FakeApp): FakeApp {
    this.apps.set(app.id, app);
    const path = `${CATALOG_PATH}/apps/${app.id}`;
    this.api
      .on('GET', path, () => ({ status: 200, body: makeAppDetails({ id: app.id, name: app.name, version: app.version, size: app.package.length }) }))
      .on('GET', `${path}/reviews`, () => ({ status: 200, body: { reviews: this.reviews, page: { limit: 10, offset: 0, total: this.reviews.length } } }))
      .on('PUT', `${path}/review`, (request) => ({ status: 200, body: makeReview({ ...(request.body as object), id: 'rev-mine' }) }))
      .on('POST', `${path}/install-ticket`, async () => ({ status: 200, body: { ticket: await this.packageTicket(app) } }))
      .on('POST', `${path}/install-report`, () => ({ status: 204, body: Buffer.alloc(0) }));
    return app;
  }

  installReports(appId: string): InstallReport[] {
    return this.api.calls('POST', `${CATALOG_PATH}/apps/${appId}/install-report`).map((r) => InstallReportSchema.parse(r.body));
  }

  packageDownloads(appId: string): HttpCall[] {
    return this.httpCalls.filter((c) => c.method === 'GET' && c.url === `${CATALOG_PATH}/apps/${appId}/package`);
  }

  /** A package ticket for this device, signed as the server signs one unless the app asks for it to be wrong. */
  async packageTicket(app: FakeApp): Promise<string> {
    const iat = Math.floor(this.now().getTime() / 1000);
    const claims: PackageTicketClaims = {
      iss: TENANT_ID,
      aud: this.deviceId,
      iat,
      exp: iat + 3600,
      appId: app.id,
      name: app.name,
      version: app.version,
      bundleId: `com.example.${app.id}`,
      package: { path: `${CATALOG_PATH}/apps/${app.id}/package`, sha256: sha256Hex(app.package), size: app.package.length },
      silentInstall: true,
      ...app.ticket?.claims,
    };
    const signer = signerOf(app.ticket?.forged ? otherPki : pki);
    const header = { alg: app.ticket?.alg ?? 'ES256', typ: PACKAGE_TICKET_TYPE, x5c: signer.certificateChainPem.map(x5cEntry) };
    const payload = Buffer.from(JSON.stringify(claims));
    if (header.alg === 'none') return `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${payload.toString('base64url')}.`;
    return new CompactSign(payload).setProtectedHeader(header).sign(header.alg === 'HS256' ? randomBytes(32) : signer.signingKey);
  }

  /** Serves this fake over real HTTP on 127.0.0.1 (packages streamed, with ranges); resolves with its URL. Closed after the test. */
  async listen(): Promise<string> {
    const server = createServer((request, response) => {
      this.answer(request, response).catch((error: unknown) => response.destroy(error as Error));
    });
    listening.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = request.url ?? '/';
    this.httpCalls.push({ method: request.method ?? '', url, range: request.headers.range });
    const app = [...this.apps.values()].find((a) => url === `${CATALOG_PATH}/apps/${a.id}/package`);
    if (app !== undefined && request.method === 'GET') return this.sendPackage(app, request, response);
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const answer = await this.api.request({
      method: request.method as 'GET' | 'POST' | 'PUT',
      url: `http://127.0.0.1${url}`,
      headers: { authorization: request.headers.authorization ?? '' },
      ...(body === '' ? {} : { body }),
      timeoutMs: 10_000,
      maxResponseBytes: 8 * 1024 * 1024,
    });
    response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    response.end(answer.body);
  }

  /** The package (or the part from a `bytes=N-` range), streamed without a length; a first download may break off. */
  private async sendPackage(app: FakeApp, request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      await verifyDeviceToken((request.headers.authorization ?? '').replace(/^Bearer /, ''), this.devicePublicJwk!, this.deviceId);
    } catch {
      response.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'unauthorized', message: 'The device token is not valid.' }));
      return;
    }
    const bytes = app.served ?? app.package;
    const from = Number(/^bytes=(\d+)-$/.exec(request.headers.range ?? '')?.[1] ?? 0);
    const first = this.packageDownloads(app.id).length === 1;
    response.writeHead(from > 0 ? 206 : 200, { 'content-type': 'application/octet-stream', ...(from > 0 ? { 'content-range': `bytes ${from}-${bytes.length - 1}/${bytes.length}` } : {}) });
    const body = bytes.subarray(from);
    const end = first && app.dropAfter !== undefined ? app.dropAfter : body.length;
    for (let at = 0; at < end; at += 16 * 1024) {
      if (!response.write(body.subarray(at, Math.min(end, at + 16 * 1024)))) await new Promise((resolve) => response.once('drain', resolve));
      if (app.chunkDelayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, app.chunkDelayMs));
    }
    if (end < body.length) {
      // Let the bytes written so far reach the agent, then break off as a dropped connection does.
      await new Promise((resolve) => setTimeout(resolve, 50));
      response.socket?.destroy();
      return;
    }
    response.end();
  }

  results(): ScriptResult[] {
    return this.api.calls('POST', `${DEVICE_API_PREFIX}/results`).flatMap((r) => ResultsRequestSchema.parse(r.body).results);
  }

  events(): RecordedRequest[] {
    return this.api.calls('POST', `${DEVICE_API_PREFIX}/events`);
  }

  blobDownloads(): RecordedRequest[] {
    return this.api.requests.filter((r) => r.method === 'GET' && r.path.startsWith(`${DEVICE_API_PREFIX}/blobs/`));
  }

  private async assignments(): Promise<ScriptAssignment[]> {
    if (this.reuseTickets && this.issued !== null) return this.issued;
    this.seq++;
    const out: ScriptAssignment[] = [];
    for (const spec of this.configurations) {
      const sealed = sealBlob(Buffer.from(spec.script));
      const path = `${DEVICE_API_PREFIX}/blobs/${randomUUID()}`;
      const served = spec.oversizedBlob ? Buffer.concat([sealed.blob, Buffer.alloc(1000)]) : sealed.blob;
      this.blobs.set(path, served);
      this.api.on('GET', path, () => {
        if (spec.stalledBlob) throw new HttpFailure('timeout', 'no complete response within the deadline');
        return { status: 200, body: served };
      });
      const ticket = await issueTicket(
        {
          deviceId: this.deviceId,
          devicePublicJwk: this.devicePublicJwk!,
          seq: this.seq,
          configurationId: spec.configurationId,
          configurationVersion: spec.version,
          script: { id: `script-${spec.configurationId}`, version: 1, name: `Script ${spec.configurationId}`, interpreter: 'bash', runAsRoot: false },
          blob: { path, sha256: sealed.sha256, size: sealed.blob.length, key: sealed.key },
          limits: { maxRunTimeSeconds: 30, maxResponseSizeKb: spec.maxResponseSizeKb ?? 1 },
          schedule: spec.schedule ?? { kind: 'once' },
          variables: spec.variables ?? {},
        },
        signerOf(spec.forged ? otherPki : pki),
        { now: this.now(), ttlSeconds: 3600 },
      );
      out.push({ configurationId: spec.configurationId, version: spec.version, ticket });
    }
    this.issued = out;
    return out;
  }
}

export async function setup(time: { clock: Clock; timeZone: () => string } = { clock: systemClock, timeZone: () => 'UTC' }) {
  const dir = await tempDir();
  const stateDir = join(dir, 'state');
  const server = new FakeServer(() => time.clock.now());
  const logger = recordingLogger();
  // A moved clock spans days: retries an hour apart keep the number of timers it fires small.
  const retry = time.clock === systemClock ? { firstRetryDelayMs: 20, maxRetryDelayMs: 50 } : { firstRetryDelayMs: 3_600_000, maxRetryDelayMs: 3_600_000 };
  const makeAgent = (checkinReceivers?: readonly CheckinReceiver[]) =>
    new AgentService(
      { http: server.api, spawner: new NodeSpawner(), clock: time.clock, state: new FileStateStore(stateDir, logger), secrets: new FileSecretStore(stateDir), logger },
      { scriptTempRoot: dir, timeZone: time.timeZone, checkinReceivers, ...retry },
    );
  return { dir, stateDir, server, logger, makeAgent };
}

/**
 * An agent enrolled with the fake server over real HTTP on 127.0.0.1 (fetch, the agent's own HTTP client), installing
 * packages with `installer` into a packages folder of its state folder.
 */
/** `beforeStart` runs on the state folder before the agent is made, e.g. to leave what a killed agent left. */
export async function enrolledOverHttp(installer: Installer, beforeStart: (stateDir: string) => Promise<void> = async () => undefined) {
  const dir = await tempDir();
  const stateDir = join(dir, 'state');
  await beforeStart(stateDir);
  const server = new FakeServer();
  const serverUrl = await server.listen();
  const logger = recordingLogger();
  const agent = new AgentService(
    { http: new FetchHttpClient(), spawner: new NodeSpawner(), clock: systemClock, state: new FileStateStore(stateDir, logger), secrets: new FileSecretStore(stateDir), logger },
    { scriptTempRoot: dir, timeZone: () => 'UTC', firstRetryDelayMs: 20, maxRetryDelayMs: 50, apps: { packageDir: join(stateDir, 'packages'), installer, resumeDelayMs: 10, idleTimeoutMs: 5000 } },
  );
  await agent.enroll({ serverUrl, username: 'alice', pin: '123456' });
  return { dir, stateDir, server, serverUrl, logger, agent };
}

export async function enrolled(time?: Parameters<typeof setup>[0]) {
  const context = await setup(time);
  const agent = context.makeAgent();
  await agent.enroll({ serverUrl: 'http://127.0.0.1:8443/', username: 'alice', pin: '123456' });
  return { ...context, agent };
}
