// The file-based state and secret stores: private modes, atomic writes, validation of everything read back.
import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentState } from '../../src/agent/core/agent-state';
import { FileSecretStore } from '../../src/agent/state/file-secret-store';
import { FileStateStore } from '../../src/agent/state/file-state-store';
import type { ScriptResult } from '../../src/shared/script-result';
import { enrolledState, recordingLogger, tempDir } from './agent-test-kit';
import { sampleResult } from '../support/sample-result';

function state(): AgentState {
  return enrolledState('https://mdm.example.com');
}

function result(): ScriptResult {
  return sampleResult({ configurationId: 'cfg-1', scriptId: 'script-1', scriptVersion: 1, scriptName: 'Greet', stdout: 'hi\n', endedAt: '2026-11-24T10:00:01.000Z' });
}

describe('FileStateStore', () => {
  it('writes state atomically as 0600 slice files in folders it makes private', async () => {
    const dir = join(await tempDir(), 'state');
    const store = new FileStateStore(dir, recordingLogger());
    expect(await store.readState()).toBeNull();
    await store.writeState(state());
    await store.writeState({ ...state(), lastCheckinError: 'check-in: down' });
    expect(await store.readState()).toMatchObject({ lastCheckinError: 'check-in: down' });
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, 'slices'))).mode & 0o777).toBe(0o700);
    for (const name of await readdir(join(dir, 'slices'))) expect((await stat(join(dir, 'slices', name))).mode & 0o777).toBe(0o600);
    expect((await readdir(join(dir, 'slices'))).sort()).toEqual(['checkin.json', 'delivery.json', 'identity.json', 'replay.json', 'schedules.json']);
    expect((await readdir(dir)).sort()).toEqual(['journal', 'outbox', 'slices']);
  });

  it('tightens a state folder that already existed with wider permissions', async () => {
    const dir = await tempDir();
    await chmod(dir, 0o755);
    await new FileStateStore(dir, recordingLogger()).writeState(state());
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it('refuses a state file that does not match its schema', async () => {
    const dir = await tempDir();
    const store = new FileStateStore(dir, recordingLogger());
    await store.writeState(state());
    const identity = JSON.parse(await readFile(join(dir, 'slices', 'identity.json'), 'utf8'));
    await writeFile(join(dir, 'slices', 'identity.json'), JSON.stringify({ ...identity, data: { ...identity.data, deviceId: 42 } }));
    await expect(store.readState()).rejects.toThrow(/is not valid \(deviceId: /);
  });

  it('keeps outbox entries until removed and sets an invalid one aside', async () => {
    const dir = await tempDir();
    const logger = recordingLogger();
    const store = new FileStateStore(dir, logger);
    const entry = { kind: 'result' as const, result: result() };
    await store.putOutbox(entry);
    await writeFile(join(dir, 'outbox', 'result-broken.json'), '{"kind":"result"');
    expect(await store.listOutbox()).toEqual([entry]);
    expect(await readdir(join(dir, 'outbox'))).toContain('result-broken.json.invalid');
    expect(logger.lines.some((l) => l.level === 'warn')).toBe(true);
    await store.removeOutbox(entry);
    expect(await store.listOutbox()).toEqual([]);
  });

  it('moves a refused outbox entry to the rejected folder, and lists a set-aside file until it is filed there', async () => {
    const dir = await tempDir();
    const store = new FileStateStore(dir, recordingLogger());
    const entry = { kind: 'result' as const, result: result() };
    await store.putOutbox(entry);
    await store.rejectOutbox(entry);
    expect(await store.listOutbox()).toEqual([]);
    expect(await readdir(join(dir, 'rejected'))).toEqual([`result-${entry.result.executionId}.json`]);

    await writeFile(join(dir, 'journal', 'f2b1c1de-8c0a-4a57-9d61-0d5c8f1f1a11.json'), '{"executionId":"f2b1c1de-8c0a-4a57-9d61-0d5c8f1f1a11"}');
    expect(await store.listJournal()).toEqual([]);
    const [file] = await store.listSetAside();
    expect(file).toMatchObject({ kind: 'journal', name: 'f2b1c1de-8c0a-4a57-9d61-0d5c8f1f1a11.json', reason: expect.stringMatching(/^configurationId: /) });
    await store.keepSetAside(file!);
    expect(await store.listSetAside()).toEqual([]);
    expect(await readdir(join(dir, 'rejected'))).toContain('journal-f2b1c1de-8c0a-4a57-9d61-0d5c8f1f1a11.json.invalid');
  });

  it('refuses journal ids that are not uuids, so no path can escape the folder', async () => {
    const store = new FileStateStore(await tempDir(), recordingLogger());
    await expect(store.removeJournal('../state')).rejects.toThrow(/not a uuid/);
  });
});

describe('FileSecretStore', () => {
  it('stores the device key as a 0600 file and refuses one others can read', async () => {
    const dir = await tempDir();
    const secrets = new FileSecretStore(dir);
    expect(await secrets.readDeviceKeyPem()).toBeNull();
    await secrets.writeDeviceKeyPem('-----BEGIN PRIVATE KEY-----\nk\n-----END PRIVATE KEY-----\n');
    expect((await stat(join(dir, 'device-key.pem'))).mode & 0o777).toBe(0o600);
    expect(await secrets.readDeviceKeyPem()).toBe(await readFile(join(dir, 'device-key.pem'), 'utf8'));
    await chmod(join(dir, 'device-key.pem'), 0o644);
    await expect(secrets.readDeviceKeyPem()).rejects.toThrow(/readable by others/);
  });
});
