// A fake device server for the agent service tests: it enrolls one device and hands out real tickets from the server's issuer.
import { createPrivateKey, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll } from 'vitest';
import { AgentService } from '../../src/agent/service/agent-service';
import type { CheckinReceiver } from '../../src/agent/service/checkin-receivers';
import { FileSecretStore } from '../../src/agent/state/file-secret-store';
import { FileStateStore } from '../../src/agent/state/file-state-store';
import { NodeSpawner } from '../../src/agent/runner/node-spawner';
import { HttpFailure, type Clock } from '../../src/agent/core/ports';
import { systemClock } from '../../src/agent/service/system-clock';
import { createTenantPki, type TenantPkiMaterial } from '../../src/server/pki/tenant-pki';
import { issueTicket, type TenantSigner } from '../../src/server/device-api/ticket-issuer';
import { DEFAULT_AGENT_CONFIG } from '../../src/shared/agent-config';
import { sealBlob } from '../../src/shared/node/blob-cipher';
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
      .on('POST', `${DEVICE_API_PREFIX}/events`, () => ({ status: 200, body: { accepted: 1 } }));
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

export async function enrolled(time?: Parameters<typeof setup>[0]) {
  const context = await setup(time);
  const agent = context.makeAgent();
  await agent.enroll({ serverUrl: 'http://127.0.0.1:8443/', username: 'alice', pin: '123456' });
  return { ...context, agent };
}
