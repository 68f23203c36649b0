// State in slices (issue 10): the upgrade from a single state.json, the content-addressed blob store, the bound on `handled`, writes of changed slices only.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentStateSchema, type HandledConfiguration } from '../../src/agent/core/agent-state';
import { STATE_SLICES } from '../../src/agent/state/state-slices';
import { FileBlobStore } from '../../src/agent/state/file-blob-store';
import { FileStateStore } from '../../src/agent/state/file-state-store';
import { boundedHandled, HANDLED_CONFIGURATIONS_KEPT } from '../../src/agent/delivery/handled-configurations';
import { sha256Hex } from '../../src/shared/node/blob-cipher';
import { recordingLogger, tempDir } from './agent-test-kit';
import { enrolled } from './fake-device-server';
import { FakeClock } from './scheduler-fake-clock';
import { dailyAt930, DAY, HOUR, runMarker, T0 } from './schedule-fixture';

const at = (offsetMs: number) => new Date(T0.getTime() + offsetMs).toISOString();

/** Rewrites a state folder as agents before issue 10 kept it: one state.json, each kept schedule's blob inside it in base64. */
async function downgradeToStateJson(stateDir: string): Promise<void> {
  const store = new FileStateStore(stateDir, recordingLogger());
  const state = (await store.readState())!;
  const schedules = [];
  for (const entry of state.schedules ?? []) {
    const legacy: Record<string, unknown> = { ...entry, blob: (await store.blobs.get(entry.claims.blob.sha256))!.toString('base64') };
    // Agents before issue 10 did not record the signer.
    delete legacy.signerSerial;
    schedules.push(legacy);
  }
  await writeFile(join(stateDir, 'state.json'), JSON.stringify({ ...state, schedules }, null, 2), { mode: 0o600 });
  await rm(join(stateDir, 'slices'), { recursive: true });
  await rm(join(stateDir, 'blobs'), { recursive: true });
}

describe('upgrading from state.json', () => {
  it('carries on without running anything again: a handled "execute once" stays handled, a kept schedule keeps its floor', async () => {
    const clock = new FakeClock(T0);
    const t = await enrolled({ clock, timeZone: () => 'UTC' });
    t.server.nextCheckinSeconds = 86_400;
    const { file: marker, runs } = runMarker(t.dir);
    t.server.configurations.push(
      { configurationId: 'cfg-once', version: 1, script: `echo once >> ${marker}` },
      { configurationId: 'cfg-rec', version: 1, script: `echo rec >> ${marker}`, schedule: dailyAt930 },
    );
    t.agent.start();
    await clock.advance(HOUR, () => t.agent.idle());
    await t.agent.stop();
    expect(await runs()).toEqual(['once', 'rec']);
    const downloads = t.server.blobDownloads().length;
    await downgradeToStateJson(t.stateDir);

    const upgraded = t.makeAgent();
    upgraded.start();
    await clock.advance(HOUR, () => upgraded.idle());
    await upgraded.checkInNow();
    expect(await runs()).toEqual(['once', 'rec']);
    expect(existsSync(join(t.stateDir, 'state.json'))).toBe(false);
    expect(t.logger.lines.map((l) => l.message)).toContain('moved the agent state from state.json into slices');

    const state = (await new FileStateStore(t.stateDir, recordingLogger()).readState())!;
    expect(state.handled).toContainEqual(expect.objectContaining({ configurationId: 'cfg-once', version: 1, outcome: 'started' }));
    const [kept] = state.schedules!;
    expect(kept).toMatchObject({ configurationId: 'cfg-rec', lastScheduledFor: at(30 * 60_000), nextRunAt: at(DAY + 30 * 60_000) });
    // Delivered once more only to learn the signer a revocation would stop it by; its floor stayed.
    expect(t.server.blobDownloads()).toHaveLength(downloads + 1);
    expect(kept!.signerSerial).toMatch(/^[0-9a-f]+$/);
    expect(await readdir(join(t.stateDir, 'blobs'))).toEqual([kept!.claims.blob.sha256]);

    await clock.advance(DAY, () => upgraded.idle());
    expect(await runs()).toEqual(['once', 'rec', 'rec']);
    await upgraded.stop();
  });
});

describe('FileBlobStore', () => {
  it('stores each blob as a 0600 file named by its sha256 in a private folder, and keeps only those asked for', async () => {
    const dir = join(await tempDir(), 'blobs');
    const blobs = new FileBlobStore(dir, () => mkdir(dir, { recursive: true, mode: 0o700 }).then(() => undefined));
    const data = Buffer.from('encrypted bytes');
    const sha256 = await blobs.put(data);
    expect(sha256).toBe(sha256Hex(data));
    expect((await stat(join(dir, sha256))).mode & 0o777).toBe(0o600);
    expect(await blobs.get(sha256)).toEqual(data);
    expect(await blobs.get('0'.repeat(64))).toBeNull();
    await expect(blobs.get('../slices/identity.json')).rejects.toThrow(/is not a sha256/);

    const other = await blobs.put(Buffer.from('another'));
    await blobs.retain(new Set([other]));
    expect(await readdir(dir)).toEqual([other]);
  });

  it('drops the blob of a schedule that is no longer kept', async () => {
    const clock = new FakeClock(T0);
    const t = await enrolled({ clock, timeZone: () => 'UTC' });
    t.server.configurations.push({ configurationId: 'cfg-rec', version: 1, script: 'true', schedule: dailyAt930 });
    await t.agent.checkInNow();
    expect(await readdir(join(t.stateDir, 'blobs'))).toHaveLength(1);
    t.server.configurations.splice(0);
    await t.agent.checkInNow();
    expect(await readdir(join(t.stateDir, 'blobs'))).toEqual([]);
    await t.agent.stop();
  });
});

describe('writes', () => {
  it('rewrites only the slices that changed: a check-in with nothing new leaves identity, replay, delivery and schedules alone', async () => {
    const t = await enrolled();
    await t.agent.checkInNow();
    const slices = join(t.stateDir, 'slices');
    const before = new Map(await Promise.all((await readdir(slices)).map(async (n) => [n, (await stat(join(slices, n))).ino] as const)));
    await t.agent.checkInNow();
    const rewritten = [];
    for (const [name, ino] of before) if ((await stat(join(slices, name))).ino !== ino) rewritten.push(name);
    expect(rewritten).toEqual(['checkin.json']);
    await t.agent.stop();
  });

  it('keeps every field of the state in exactly one slice, so none reads back as its default after a restart', async () => {
    const fields = Object.keys(AgentStateSchema.shape).sort();
    const sliced = STATE_SLICES.flatMap((slice) => Object.keys((slice.schema as unknown as { shape: object }).shape)).sort();
    expect(sliced).toEqual(fields);
    const t = await enrolled();
    await t.agent.stop();
    const store = new FileStateStore(t.stateDir, recordingLogger());
    const state = (await store.readState())!;
    await store.writeState({ ...state, enrollmentMethod: 'automated' });
    expect((await new FileStateStore(t.stateDir, recordingLogger()).readState())?.enrollmentMethod).toBe('automated');
  });

  it('refuses a slice written in a format this agent does not know', async () => {
    const t = await enrolled();
    await t.agent.stop();
    const path = join(t.stateDir, 'slices', 'replay.json');
    await writeFile(path, JSON.stringify({ ...JSON.parse(await readFile(path, 'utf8')), format: 2 }));
    await expect(new FileStateStore(t.stateDir, recordingLogger()).readState()).rejects.toThrow(/replay\.json is not valid \(format 2, which this agent \(format 1\) cannot read\)/);
  });
});

describe('boundedHandled', () => {
  const entry = (configurationId: string, version: number, outcome: HandledConfiguration['outcome'], at: string): HandledConfiguration => ({ configurationId, version, outcome, ticketSha256: null, at });

  it('keeps per configuration its newest version and the newest that started, so "execute once" never runs again', () => {
    const handled = [
      entry('a', 1, 'started', '2026-12-01T10:00:00.000Z'),
      entry('a', 2, 'started', '2026-12-02T10:00:00.000Z'),
      entry('a', 3, 'rejected', '2026-12-03T10:00:00.000Z'),
      entry('b', 1, 'rejected', '2026-12-01T10:00:00.000Z'),
      entry('b', 2, 'scheduled', '2026-12-02T10:00:00.000Z'),
    ];
    expect(boundedHandled(handled)).toEqual([handled[1], handled[2], handled[4]]);
  });

  it(`remembers at most ${HANDLED_CONFIGURATIONS_KEPT} configurations, dropping those handled longest ago`, () => {
    const handled = Array.from({ length: HANDLED_CONFIGURATIONS_KEPT + 5 }, (_, i) => entry(`cfg-${i}`, 1, 'started', new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString()));
    const kept = boundedHandled(handled);
    expect(kept).toHaveLength(HANDLED_CONFIGURATIONS_KEPT);
    expect(kept[0]!.configurationId).toBe('cfg-5');
  });
});
