// AgentService against a fake device API (real tickets from the server's issuer, real files, real processes).
import { createPrivateKey, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AgentService } from '../../src/agent/agent-service';
import { FileSecretStore } from '../../src/agent/file-secret-store';
import { FileStateStore } from '../../src/agent/file-state-store';
import { NodeSpawner } from '../../src/agent/node-spawner';
import { HttpFailure, type Clock } from '../../src/agent/ports';
import { systemClock } from '../../src/agent/system-clock';
import { createTenantPki, type TenantPkiMaterial } from '../../src/server/tenant-pki';
import { issueTicket, type TenantSigner } from '../../src/server/ticket-issuer';
import { DEFAULT_AGENT_CONFIG } from '../../src/shared/agent-config';
import { sealBlob } from '../../src/shared/blob-cipher';
import { ENROLL_SUBJECT, verifyDeviceToken } from '../../src/shared/device-token';
import {
  DEVICE_API_PREFIX,
  EnrollRequestSchema,
  EventsRequestSchema,
  ResultsRequestSchema,
  type DevicePublicJwk,
  type ScriptAssignment,
} from '../../src/shared/protocol';
import type { ScheduleSpec } from '../../src/shared/schedule';
import type { ScriptResult } from '../../src/shared/script-result';
import { FakeDeviceApi, recordingLogger, tempDir, waitUntil, type RecordedRequest } from './agent-test-kit';
import { FakeClock } from './scheduler-fake-clock';

const TENANT_ID = 'tenant-1';
let pki: TenantPkiMaterial;
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

interface ConfigurationSpec {
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
}

/** A device API that enrolls one device and hands out freshly issued tickets for `configurations` at every check-in. */
class FakeServer {
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
          limits: { maxRunTimeSeconds: 30, maxResponseSizeKb: 1 },
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

async function setup(time: { clock: Clock; timeZone: () => string } = { clock: systemClock, timeZone: () => 'UTC' }) {
  const dir = await tempDir();
  const stateDir = join(dir, 'state');
  const server = new FakeServer(() => time.clock.now());
  const logger = recordingLogger();
  // A moved clock spans days: retries an hour apart keep the number of timers it fires small.
  const retry = time.clock === systemClock ? { firstRetryDelayMs: 20, maxRetryDelayMs: 50 } : { firstRetryDelayMs: 3_600_000, maxRetryDelayMs: 3_600_000 };
  const makeAgent = () =>
    new AgentService(
      { http: server.api, spawner: new NodeSpawner(), clock: time.clock, state: new FileStateStore(stateDir, logger), secrets: new FileSecretStore(stateDir), logger },
      { scriptTempRoot: dir, timeZone: time.timeZone, ...retry },
    );
  return { dir, stateDir, server, logger, makeAgent };
}

async function enrolled(time?: Parameters<typeof setup>[0]) {
  const context = await setup(time);
  const agent = context.makeAgent();
  await agent.enroll({ serverUrl: 'http://127.0.0.1:8443/', username: 'alice', pin: '123456' });
  return { ...context, agent };
}

describe('AgentService enrollment', () => {
  it('enrolls with a proof-of-possession token and persists what it was given, privately', async () => {
    const { stateDir, server, makeAgent } = await setup();
    const agent = makeAgent();
    expect(await agent.isEnrolled()).toBe(false);
    const { deviceId } = await agent.enroll({ serverUrl: 'http://127.0.0.1:8443/', username: 'alice', pin: '123456' });
    expect(deviceId).toBe(server.deviceId);

    const [call] = server.api.calls('POST', `${DEVICE_API_PREFIX}/enroll`);
    const body = EnrollRequestSchema.parse(call!.body);
    expect(body).toMatchObject({ method: 'pin', username: 'alice', pin: '123456' });
    await verifyDeviceToken(call!.authorization!.replace(/^Bearer /, ''), body.publicKey, ENROLL_SUBJECT);

    expect((await stat(stateDir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(stateDir, 'state.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(stateDir, 'device-key.pem'))).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(await readFile(join(stateDir, 'state.json'), 'utf8'));
    expect(saved).toMatchObject({ serverUrl: 'http://127.0.0.1:8443', deviceId, tenantId: TENANT_ID, tenantRootCertificate: pki.rootCertificatePem });
    expect(await readFile(join(stateDir, 'device-key.pem'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);

    const reopened = makeAgent();
    expect(await reopened.isEnrolled()).toBe(true);
    expect(await reopened.getStatus()).toMatchObject({ enrolled: true, deviceId, serverUrl: 'http://127.0.0.1:8443' });
    await expect(reopened.enroll({ serverUrl: 'http://127.0.0.1:8443', username: 'alice', pin: '123456' })).rejects.toThrow(/already enrolled/);
  });

  it('refuses plain http to anything but this machine', async () => {
    const { makeAgent, server } = await setup();
    await expect(makeAgent().enroll({ serverUrl: 'http://mdm.example.com', username: 'alice', pin: '123456' })).rejects.toThrow(/must use https/);
    expect(server.api.requests).toHaveLength(0);
  });

  it('says what the server said when enrollment is refused', async () => {
    const { makeAgent, server } = await setup();
    server.api.on('POST', `${DEVICE_API_PREFIX}/enroll`, () => ({ status: 401, body: { error: 'bad_pin', message: 'The PIN is wrong or expired.' } }));
    await expect(makeAgent().enroll({ serverUrl: 'https://mdm.example.com', username: 'alice', pin: '123456' })).rejects.toThrow(
      'enroll: server said 401: The PIN is wrong or expired.',
    );
  });
});

describe('AgentService script delivery', () => {
  it('runs an "execute once" script once, reports it, and signs every call with the device key', async () => {
    const { dir, server, agent } = await enrolled();
    const marker = join(dir, 'ran');
    server.configurations.push({ configurationId: 'cfg-1', version: 1, script: `echo "hello $NAME"\necho run >> ${marker}`, variables: { NAME: 'world' } });
    const changes: unknown[] = [];
    agent.onStatusChanged((status) => changes.push(status));

    const status = await agent.checkInNow();
    expect(status.lastCheckinError).toBeNull();
    expect(status.recentRuns).toHaveLength(1);
    expect(status.recentRuns[0]).toMatchObject({ configurationId: 'cfg-1', status: 'completed', stdout: 'hello world\n' });
    const [result] = server.results();
    expect(result).toMatchObject({ configurationId: 'cfg-1', scriptId: 'script-cfg-1', status: 'completed', exitCode: 0, stdout: 'hello world\n' });
    for (const call of server.api.requests.slice(1)) {
      await verifyDeviceToken(call.authorization!.replace(/^Bearer /, ''), server.devicePublicJwk!, server.deviceId);
    }

    await agent.checkInNow();
    expect(await readFile(marker, 'utf8')).toBe('run\n');
    expect(server.blobDownloads()).toHaveLength(1);
    expect(server.results()).toHaveLength(1);
    await waitUntil('status listeners to hear of the check-ins', () => changes.length >= 2);
  });

  it('keeps a result in the outbox when posting fails and delivers it at a later check-in', async () => {
    const { stateDir, server, agent } = await enrolled();
    server.configurations.push({ configurationId: 'cfg-1', version: 1, script: 'echo once' });
    let failures = 1;
    server.api.on('POST', `${DEVICE_API_PREFIX}/results`, () =>
      failures-- > 0 ? { status: 503, body: { error: 'unavailable', message: 'Try again later.' } } : { status: 200, body: {} },
    );

    await agent.checkInNow();
    const outbox = await readdir(join(stateDir, 'outbox'));
    expect(outbox).toHaveLength(1);
    const pending = JSON.parse(await readFile(join(stateDir, 'outbox', outbox[0]!), 'utf8'));
    expect(pending.result.status).toBe('completed');

    await agent.checkInNow();
    const posts = server.api.calls('POST', `${DEVICE_API_PREFIX}/results`);
    expect(posts).toHaveLength(2);
    expect(ResultsRequestSchema.parse(posts[1]!.body).results[0]!.executionId).toBe(pending.result.executionId);
    expect(await readdir(join(stateDir, 'outbox'))).toHaveLength(0);
    expect(server.blobDownloads()).toHaveLength(1);
  });

  it('reports a run left in the journal as interrupted, once, and does not run it again', async () => {
    const { dir, stateDir, server, makeAgent, logger } = await enrolled();
    const marker = join(dir, 'ran');
    const executionId = randomUUID();
    await new FileStateStore(stateDir, logger).putJournal({
      executionId,
      configurationId: 'cfg-1',
      configurationVersion: 1,
      scriptId: 'script-cfg-1',
      scriptVersion: 1,
      scriptName: 'Script cfg-1',
      startedAt: new Date(Date.now() - 5000).toISOString(),
    });
    server.configurations.push({ configurationId: 'cfg-1', version: 1, script: `touch ${marker}` });

    const restarted = makeAgent();
    restarted.start();
    await waitUntil('the interrupted result to be posted', () => server.results().length > 0);
    await restarted.stop();
    await restarted.checkInNow();

    expect(server.results()).toHaveLength(1);
    expect(server.results()[0]).toMatchObject({ executionId, status: 'interrupted', exitCode: null });
    expect(server.results()[0]!.durationMs).toBeGreaterThanOrEqual(5000);
    expect(await readdir(join(stateDir, 'journal'))).toHaveLength(0);
    expect(existsSync(marker)).toBe(false);
    expect(server.blobDownloads()).toHaveLength(0);
    expect((await restarted.getStatus()).recentRuns[0]).toMatchObject({ executionId, status: 'interrupted' });
  });

  it('rejects a ticket that does not chain to the pinned root: nothing runs, the device log gets an event', async () => {
    const { dir, server, agent } = await enrolled();
    const marker = join(dir, 'ran');
    server.configurations.push({ configurationId: 'cfg-evil', version: 3, script: `touch ${marker}`, forged: true });

    await agent.checkInNow();
    expect(existsSync(marker)).toBe(false);
    expect(server.blobDownloads()).toHaveLength(0);
    expect(server.results()).toHaveLength(0);
    const [post] = server.events();
    const [event] = EventsRequestSchema.parse(post!.body).events;
    expect(event).toMatchObject({ type: 'ticket.rejected', data: { configurationId: 'cfg-evil', code: 'certificate_invalid' } });
    expect(event!.message).toMatch(/^certificate_invalid: /);

    // Each check-in brings a freshly issued ticket, so a rejection is re-evaluated then, never in a loop of its own.
    await agent.checkInNow();
    expect(server.events()).toHaveLength(2);
    expect(existsSync(marker)).toBe(false);
  });

  it('does not re-evaluate a rejected ticket that comes back unchanged', async () => {
    const { server, agent } = await enrolled();
    server.reuseTickets = true;
    server.configurations.push({ configurationId: 'cfg-evil', version: 1, script: 'true', forged: true });
    await agent.checkInNow();
    await agent.checkInNow();
    await agent.checkInNow();
    expect(server.events()).toHaveLength(1);
  });

  it('rejects a blob larger than its ticket signs without running it', async () => {
    const { dir, server, agent } = await enrolled();
    const marker = join(dir, 'ran');
    server.configurations.push({ configurationId: 'cfg-big', version: 1, script: `touch ${marker}`, oversizedBlob: true });

    await agent.checkInNow();
    expect(existsSync(marker)).toBe(false);
    const [event] = EventsRequestSchema.parse(server.events()[0]!.body).events;
    expect(event).toMatchObject({ type: 'ticket.rejected', data: { configurationId: 'cfg-big', code: 'blob_too_large' } });
  });

  it('reports a blob download that runs into its deadline as slow retrieval, without running anything', async () => {
    const { dir, server, agent } = await enrolled();
    const marker = join(dir, 'ran');
    server.configurations.push({ configurationId: 'cfg-slow', version: 1, script: `touch ${marker}`, stalledBlob: true });

    await agent.checkInNow();
    expect(existsSync(marker)).toBe(false);
    const [event] = EventsRequestSchema.parse(server.events()[0]!.body).events;
    expect(event).toMatchObject({ type: 'ticket.rejected', data: { configurationId: 'cfg-slow', code: 'blob_download_timeout' } });
  });
});

describe('AgentService check-in loop', () => {
  it('keeps checking in after failures and shows the server message in the status', async () => {
    const { server, agent } = await enrolled();
    server.api.on('POST', `${DEVICE_API_PREFIX}/checkin`, () => ({ status: 401, body: { error: 'retired', message: 'This device was retired.' } }));
    agent.start();
    await waitUntil('a few retried check-ins', () => server.api.calls('POST', `${DEVICE_API_PREFIX}/checkin`).length >= 3);
    await agent.stop();
    const count = server.api.calls('POST', `${DEVICE_API_PREFIX}/checkin`).length;
    const status = await agent.getStatus();
    expect(status.lastCheckinError).toBe('check-in: server said 401: This device was retired.');
    await new Promise((r) => setTimeout(r, 150));
    expect(server.api.calls('POST', `${DEVICE_API_PREFIX}/checkin`)).toHaveLength(count);
  });

  it('tells a device that is not enrolled to enroll instead of calling the server', async () => {
    const { makeAgent, server } = await setup();
    const status = await makeAgent().checkInNow();
    expect(status).toMatchObject({ enrolled: false, lastCheckinError: expect.stringMatching(/not enrolled/) });
    expect(server.api.requests).toHaveLength(0);
  });
});

describe('AgentService recurring schedules', () => {
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  /** 09:00Z on the next day: near enough to now that certificates issued now are valid then. */
  const T0 = new Date(Math.floor(Date.now() / DAY) * DAY + DAY + 9 * HOUR);
  const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const dailyAt = (times: string[]): ScheduleSpec => ({ kind: 'recurring', timezone: 'utc', start: dateOf(T0.getTime()), end: dateOf(T0.getTime() + 30 * DAY), frequency: 'daily', times });
  const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs).toISOString();

  async function onMovedClock() {
    const clock = new FakeClock(T0);
    const context = await enrolled({ clock, timeZone: () => 'Europe/Berlin' });
    context.server.nextCheckinSeconds = 86_400;
    const marker = join(context.dir, 'runs');
    let agent = context.agent;
    const restart = async () => {
      await agent.stop();
      agent = context.makeAgent();
      agent.start();
      await agent.idle();
    };
    return {
      ...context,
      clock,
      marker,
      agent: () => agent,
      restart,
      advance: (ms: number) => clock.advance(ms, () => agent.idle()),
      runs: async () => (existsSync(marker) ? (await readFile(marker, 'utf8')).split('\n').filter(Boolean) : []),
      kept: async () => (JSON.parse(await readFile(join(context.stateDir, 'state.json'), 'utf8')) as { schedules: { configurationId: string; version: number; nextRunAt: string | null }[] }).schedules,
    };
  }

  const offline = (server: FakeServer) => {
    for (const path of ['checkin', 'results', 'events']) {
      server.api.on('POST', `${DEVICE_API_PREFIX}/${path}`, () => ({ status: 503, body: { error: 'unavailable', message: 'The server is down.' } }));
    }
  };

  it('keeps a verified recurring configuration and runs it at its times, offline and long after its ticket expired', async () => {
    const t = await onMovedClock();
    t.server.configurations.push({ configurationId: 'cfg-rec', version: 1, script: `echo "run $WHO" >> ${t.marker}`, variables: { WHO: 'nightly' }, schedule: dailyAt(['09:30']) });
    await t.agent().checkInNow();
    expect(await t.kept()).toMatchObject([{ configurationId: 'cfg-rec', version: 1, nextRunAt: at(30 * 60_000) }]);
    expect(await t.runs()).toEqual([]);
    expect((await stat(join(t.stateDir, 'state.json'))).mode & 0o777).toBe(0o600);

    offline(t.server);
    t.agent().start();
    await t.advance(2 * DAY + HOUR);
    expect(await t.runs()).toEqual(['run nightly', 'run nightly', 'run nightly']);
    expect(await readdir(join(t.stateDir, 'outbox'))).toHaveLength(3);
    expect(t.server.blobDownloads()).toHaveLength(1);

    const accepted: ScriptResult[] = [];
    t.server.api.on('POST', `${DEVICE_API_PREFIX}/results`, (request) => {
      accepted.push(...ResultsRequestSchema.parse(request.body).results);
      return { status: 200, body: {} };
    });
    await t.advance(HOUR);
    const byStart = accepted.map((r) => [r.configurationId, r.status, r.startedAt, r.stdout]).sort((a, b) => a[2]!.localeCompare(b[2]!));
    expect(byStart).toEqual([
      ['cfg-rec', 'completed', at(30 * 60_000), ''],
      ['cfg-rec', 'completed', at(DAY + 30 * 60_000), ''],
      ['cfg-rec', 'completed', at(2 * DAY + 30 * 60_000), ''],
    ]);
    await t.agent().stop();
  });

  it('replaces a schedule when a new version arrives and stops it when the configuration is removed', async () => {
    const t = await onMovedClock();
    t.server.configurations.push({ configurationId: 'cfg-rec', version: 1, script: `echo v1 >> ${t.marker}`, schedule: dailyAt(['09:30']) });
    await t.agent().checkInNow();
    t.server.configurations.splice(0, 1, { configurationId: 'cfg-rec', version: 2, script: `echo v2 >> ${t.marker}`, schedule: dailyAt(['09:45']) });
    await t.agent().checkInNow();
    expect(await t.kept()).toMatchObject([{ configurationId: 'cfg-rec', version: 2, nextRunAt: at(45 * 60_000) }]);

    t.agent().start();
    await t.advance(HOUR);
    expect(await t.runs()).toEqual(['v2']);

    t.server.configurations.length = 0;
    await t.agent().checkInNow();
    expect(await t.kept()).toEqual([]);
    expect(t.logger.lines.map((l) => l.message)).toContain('stopped a recurring script schedule: its configuration version is no longer assigned');
    await t.advance(DAY);
    expect(await t.runs()).toEqual(['v2']);
    await t.agent().stop();
  });

  it('neither repeats a run after a restart right after it nor bursts after being stopped across three runs', async () => {
    const t = await onMovedClock();
    t.server.configurations.push({ configurationId: 'cfg-rec', version: 1, script: `date -u +%FT%TZ >> ${t.marker}`, schedule: dailyAt(['09:30']) });
    await t.agent().checkInNow();
    t.agent().start();
    await t.advance(30 * 60_000);
    expect(await t.runs()).toHaveLength(1);

    await t.restart();
    await t.advance(10 * 60_000);
    expect(await t.runs()).toHaveLength(1);

    await t.agent().stop();
    t.clock.jump(3 * DAY);
    await t.restart();
    await t.advance(60_000);
    expect(await t.runs()).toHaveLength(2);
    expect(await t.kept()).toMatchObject([{ nextRunAt: at(4 * DAY + 30 * 60_000) }]);
    await t.advance(12 * HOUR);
    expect(await t.runs()).toHaveLength(2);
    expect(t.server.results().map((r) => r.startedAt)).toEqual([at(30 * 60_000), at(3 * DAY + 40 * 60_000)]);
    await t.agent().stop();
  });

  it('reports a scheduled run cut short by a crash as interrupted and does not run that instant again', async () => {
    const t = await onMovedClock();
    t.server.configurations.push({ configurationId: 'cfg-rec', version: 1, script: `echo ran >> ${t.marker}`, schedule: dailyAt(['09:30']) });
    await t.agent().checkInNow();
    await t.agent().stop();
    // The crash came after the journal entry was written and before the schedule's floor moved.
    const executionId = randomUUID();
    await new FileStateStore(t.stateDir, t.logger).putJournal({
      executionId,
      configurationId: 'cfg-rec',
      configurationVersion: 1,
      scriptId: 'script-cfg-rec',
      scriptVersion: 1,
      scriptName: 'Script cfg-rec',
      startedAt: at(30 * 60_000),
      scheduledFor: at(30 * 60_000),
    });
    t.clock.jump(40 * 60_000);
    await t.restart();
    await t.advance(HOUR);
    expect(await t.runs()).toEqual([]);
    expect(t.server.results()).toMatchObject([{ executionId, status: 'interrupted' }]);
    expect(await t.kept()).toMatchObject([{ nextRunAt: at(DAY + 30 * 60_000) }]);
    await t.agent().stop();
  });

  it('delivers again a recurring configuration an agent older than issue 5 skipped', async () => {
    const t = await onMovedClock();
    t.server.configurations.push({ configurationId: 'cfg-rec', version: 1, script: `echo ran >> ${t.marker}`, schedule: dailyAt(['09:30']) });
    const store = new FileStateStore(t.stateDir, t.logger);
    const old = (await store.readState())!;
    await store.writeState({ ...old, schedules: undefined, handled: [{ configurationId: 'cfg-rec', version: 1, outcome: 'skipped', ticketSha256: null, at: T0.toISOString() }] });
    const upgraded = t.makeAgent();
    await upgraded.checkInNow();
    expect(await t.kept()).toMatchObject([{ configurationId: 'cfg-rec', version: 1 }]);
  });

  it('drops a kept schedule whose cached blob no longer matches its signed hash, runs nothing, and fetches it again', async () => {
    const t = await onMovedClock();
    t.server.configurations.push({ configurationId: 'cfg-rec', version: 1, script: `echo ran >> ${t.marker}`, schedule: dailyAt(['09:30']) });
    await t.agent().checkInNow();
    await t.agent().stop();
    const statePath = join(t.stateDir, 'state.json');
    const saved = JSON.parse(await readFile(statePath, 'utf8'));
    const blob = Buffer.from(saved.schedules[0].blob, 'base64');
    blob[blob.length - 1]! ^= 1;
    saved.schedules[0].blob = blob.toString('base64');
    await new FileStateStore(t.stateDir, t.logger).writeState(saved);

    await t.restart();
    await t.advance(31 * 60_000);
    expect(await t.runs()).toEqual([]);
    const [event] = t.server.events().flatMap((post) => EventsRequestSchema.parse(post.body).events);
    expect(event).toMatchObject({ type: 'ticket.rejected', data: { configurationId: 'cfg-rec', code: 'blob_hash_mismatch' } });
    await t.agent().checkInNow();
    expect(t.server.blobDownloads()).toHaveLength(2);
    expect(await t.kept()).toMatchObject([{ configurationId: 'cfg-rec', nextRunAt: at(DAY + 30 * 60_000) }]);
    await t.agent().stop();
  });
});
