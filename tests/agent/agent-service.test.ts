// AgentService against a fake device API (real tickets from the server's issuer, real files, real processes).
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStateStore } from '../../src/agent/state/file-state-store';
import { ENROLL_SUBJECT, verifyDeviceToken } from '../../src/shared/node/device-token';
import { DEVICE_API_PREFIX, EnrollRequestSchema, EventsRequestSchema, ResultsRequestSchema } from '../../src/shared/protocol';
import { waitUntil } from './agent-test-kit';
import { enrolled, pki, setup, TENANT_ID } from './fake-device-server';

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
    expect((await stat(join(stateDir, 'slices', 'identity.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(stateDir, 'device-key.pem'))).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(await readFile(join(stateDir, 'slices', 'identity.json'), 'utf8')).data;
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
      // The agent was last seen alive just now (issue 9's heartbeat), so the run lasted at least the 5 s since it started.
      lastAliveAt: new Date().toISOString(),
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
