// Issue 9: the agent under local faults: a full disk (a real 64 KB tmpfs where it can mount one, else a store that says ENOSPC), a corrupt device key, unreadable state files.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentState, JournalEntry, OutboxEntry } from '../../src/agent/core/agent-state';
import { AgentService } from '../../src/agent/service/agent-service';
import { FileSecretStore } from '../../src/agent/state/file-secret-store';
import { FileStateStore } from '../../src/agent/state/file-state-store';
import { NodeSpawner } from '../../src/agent/runner/node-spawner';
import type { SecretStore } from '../../src/agent/core/ports';
import { systemClock } from '../../src/agent/service/system-clock';
import { DEVICE_API_PREFIX, EventsRequestSchema, type DeviceEvent } from '../../src/shared/protocol';
import { recordingLogger, tempDir } from './agent-test-kit';
import { enrolled, FakeServer, setup } from './fake-device-server';
import { FakeClock } from './scheduler-fake-clock';

const CHECKIN = `${DEVICE_API_PREFIX}/checkin`;

function postedEvents(server: FakeServer): DeviceEvent[] {
  return server.events().flatMap((r) => EventsRequestSchema.parse(r.body).events);
}

function serverDown(server: FakeServer): void {
  for (const path of ['results', 'events']) server.api.on('POST', `${DEVICE_API_PREFIX}/${path}`, () => ({ status: 503, body: { error: 'unavailable', message: 'Down.' } }));
}

function serverUp(server: FakeServer): void {
  for (const path of ['results', 'events']) server.api.on('POST', `${DEVICE_API_PREFIX}/${path}`, () => ({ status: 200, body: { accepted: 1 } }));
}

/** Mounts a 64 KB tmpfs on `dir`; false where this process may not mount (not root, no CAP_SYS_ADMIN). */
function mountTinyDisk(dir: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A file store whose writes fail with ENOSPC while `full` is set, as on a full disk. */
class FullDiskStore extends FileStateStore {
  full = false;
  private check(): void {
    if (this.full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  }
  override async writeState(state: AgentState): Promise<void> {
    this.check();
    await super.writeState(state);
  }
  override async putOutbox(entry: OutboxEntry): Promise<void> {
    this.check();
    await super.putOutbox(entry);
  }
  override async putJournal(entry: JournalEntry): Promise<void> {
    this.check();
    await super.putJournal(entry);
  }
}

describe('a full disk', () => {
  it('keeps a finished 100 KB result the disk refused, delivers it from memory and reports the full disk once', async (context) => {
    const { stateDir, server, makeAgent } = await setup();
    await mkdir(stateDir);
    if (!mountTinyDisk(stateDir)) context.skip();
    const agent = makeAgent();
    try {
      await agent.enroll({ serverUrl: 'http://127.0.0.1:8443', username: 'alice', pin: '123456' });
      server.configurations.push({ configurationId: 'cfg-big', version: 1, script: "head -c 100000 /dev/zero | tr '\\0' x", maxResponseSizeKb: 200 });
      serverDown(server);

      const offline = await agent.checkInNow();
      expect(offline.lastCheckinError).toMatch(/^the disk holding the agent's state folder is full \(ENOSPC: .*\), so finished results wait in memory until there is room; free some disk space$/);
      // The run's journal entry stays until its result is safe: an agent that died now would still report the run.
      expect(await readdir(join(stateDir, 'journal'))).toHaveLength(1);
      expect(await readdir(join(stateDir, 'outbox'))).toEqual([]);

      serverUp(server);
      await agent.checkInNow();
      const [delivered] = server.results().filter((r) => r.configurationId === 'cfg-big' && r.status === 'completed');
      expect(delivered!.stdout).toHaveLength(100_000);
      expect(await readdir(join(stateDir, 'journal'))).toEqual([]);
      await agent.checkInNow();
      expect(postedEvents(server).filter((e) => e.type === 'state.write_failed')).toMatchObject([{ data: { code: 'ENOSPC', diskFull: true } }]);
      expect((await agent.getStatus()).lastCheckinError).toBeNull();
    } finally {
      await agent.stop();
      execFileSync('umount', [stateDir]);
    }
  });

  it('counts a failed local write as a failed round, so the loop backs off while the disk stays full', async () => {
    const dir = await tempDir();
    const stateDir = join(dir, 'state');
    const clock = new FakeClock(new Date());
    const server = new FakeServer(() => clock.now());
    const logger = recordingLogger();
    const store = new FullDiskStore(stateDir, logger);
    const agent = new AgentService(
      { http: server.api, spawner: new NodeSpawner(), clock, state: store, secrets: new FileSecretStore(stateDir), logger },
      { scriptTempRoot: dir, timeZone: () => 'UTC', firstRetryDelayMs: 1000, maxRetryDelayMs: 600_000 },
    );
    await agent.enroll({ serverUrl: 'http://127.0.0.1:8443', username: 'alice', pin: '123456' });
    store.full = true;
    agent.start();
    await clock.advance(60_000, () => agent.idle());
    // Rounds at 0, 1, 3, 7, 15 and 31 s: doubling, where the server's successful answer used to reset it to 1 s.
    expect(server.api.calls('POST', CHECKIN)).toHaveLength(6);
    expect((await agent.getStatus()).lastCheckinError).toMatch(/^the disk holding the agent's state folder is full/);
    expect(postedEvents(server).filter((e) => e.type === 'state.write_failed')).toHaveLength(1);

    store.full = false;
    await clock.advance(60_000, () => agent.idle());
    expect((await agent.getStatus()).lastCheckinError).toBeNull();
    await agent.stop();
  });
});

describe('a corrupt device key', () => {
  it('says the key is unreadable and the device must be re-enrolled, and stops trying until checkInNow', async () => {
    const { dir, stateDir, server, logger, agent: first } = await enrolled();
    await first.stop();
    const keyPath = join(stateDir, 'device-key.pem');
    const goodKey = await readFile(keyPath, 'utf8');
    await writeFile(keyPath, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', { mode: 0o600 });
    const requestsBefore = server.api.requests.length;
    const files = new FileSecretStore(stateDir);
    let reads = 0;
    const secrets: SecretStore = { readDeviceKeyPem: () => (reads++, files.readDeviceKeyPem()), writeDeviceKeyPem: (pem) => files.writeDeviceKeyPem(pem), deleteDeviceKey: () => files.deleteDeviceKey() };
    const agent = new AgentService(
      { http: server.api, spawner: new NodeSpawner(), clock: systemClock, state: new FileStateStore(stateDir, logger), secrets, logger },
      { scriptTempRoot: dir, firstRetryDelayMs: 20, maxRetryDelayMs: 50 },
    );

    agent.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(reads).toBe(1);
    expect(server.api.requests.length).toBe(requestsBefore);
    expect((await agent.getStatus()).lastCheckinError).toBe(
      'the device key in the secret store is unreadable, so this device can no longer reach its server; re-enroll this device',
    );
    // The status shows when the key is looked at again (an hour), not a check-in planned before the key broke.
    const nextCheckinAt = Date.parse((await agent.getStatus()).nextCheckinAt!);
    expect(nextCheckinAt - Date.now()).toBeGreaterThan(3500 * 1000);

    await writeFile(keyPath, goodKey, { mode: 0o600 });
    expect((await agent.checkInNow()).lastCheckinError).toBeNull();
    expect(reads).toBe(2);
    await agent.stop();
  });
});

describe('state files set aside', () => {
  it('reports a truncated journal file and a malformed outbox entry to the server once each, naming what was lost', async () => {
    const { stateDir, server, makeAgent } = await enrolled();
    const executionId = randomUUID();
    const eventId = randomUUID();
    await writeFile(join(stateDir, 'journal', `${executionId}.json`), `{"executionId":"${executionId}","configurat`);
    await writeFile(join(stateDir, 'outbox', `event-${eventId}.json`), '{"kind":"event"}');
    const agent = makeAgent();

    await agent.checkInNow();
    await agent.checkInNow();
    await agent.checkInNow();
    const reports = postedEvents(server).filter((e) => e.type === 'state.file_set_aside');
    expect(reports).toHaveLength(2);
    expect(reports.find((e) => e.data?.kind === 'journal')).toMatchObject({ data: { file: `${executionId}.json`, executionId, reason: 'not JSON' } });
    expect(reports.find((e) => e.data?.kind === 'journal')!.message).toBe(
      `The agent set aside the unreadable journal file ${executionId}.json (not JSON) and lost the record of run ${executionId} in progress, so that run will not be reported.`,
    );
    expect(reports.find((e) => e.data?.kind === 'outbox')).toMatchObject({ data: { file: `event-${eventId}.json`, eventId } });
    expect((await readdir(join(stateDir, 'rejected'))).sort()).toEqual([`journal-${executionId}.json.invalid`, `outbox-event-${eventId}.json.invalid`]);
    await agent.stop();
  });
});
