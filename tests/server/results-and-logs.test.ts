// Results stored exactly once per execution id, events, and the device log that shows both newest first.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/shared/node/blob-cipher';
import type { DeviceEvent } from '../../src/shared/protocol';
import type { ScriptResult } from '../../src/shared/script-result';
import { TestServer, type DeviceKeys } from './server-fixture';
import { BACKENDS } from '../support/test-databases';

function result(configurationId: string, scriptId: string, endedAt: string, overrides: Partial<ScriptResult> = {}): ScriptResult {
  return {
    executionId: randomUUID(),
    configurationId,
    scriptId,
    scriptVersion: 1,
    scriptName: 'Hello',
    status: 'completed',
    startedAt: new Date(Date.parse(endedAt) - 1500).toISOString(),
    endedAt,
    durationMs: 1500,
    exitCode: 0,
    signal: null,
    timedOut: false,
    stdout: 'hello\n',
    stderr: '',
    stdoutEncoding: 'utf8',
    stderrEncoding: 'utf8',
    stdoutBytes: 6,
    stderrBytes: 0,
    stdoutTruncated: false,
    stderrTruncated: false,
    stdoutSha256: sha256Hex('hello\n'),
    stderrSha256: null,
    error: null,
    ...overrides,
  };
}

describe.each(BACKENDS)('results, events and device logs on %s', (backend) => {
  let t: TestServer;
  let device: { deviceId: string; keys: DeviceKeys };
  let configurationId: string;
  let scriptId: string;
  beforeEach(async () => {
    t = await TestServer.start({ backend });
    await t.distributeSystemDefaultAgentConfiguration();
    device = await t.enrolledDevice('alice');
    ({ configurationId, scriptId } = await t.createScriptConfiguration('echo hello', 'everyone'));
  });
  afterEach(async () => {
    await t.stop();
  });

  const post = (url: string, payload: unknown) => t.device(device.keys, device.deviceId, 'POST', url, payload);
  const logs = async () => (await t.adminOk<{ logs: Record<string, unknown>[] }>('GET', `/devices/${device.deviceId}/logs`)).logs;

  it('stores a result once however often it is delivered', async () => {
    const r = result(configurationId, scriptId, '2026-01-05T10:00:00.000Z');
    for (let i = 0; i < 3; i++) {
      const response = await post('/results', { results: [r] });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ accepted: 1 });
    }
    expect(await logs()).toEqual([{ kind: 'script_result', at: r.endedAt, receivedAt: expect.any(String), result: r }]);
  });

  it('refuses a batch holding a result of a configuration never given to the device whole (the agent then splits it), and 404 when none is', async () => {
    const other = await t.createScriptConfiguration('echo other', 'none');
    const mine = result(configurationId, scriptId, '2026-01-05T10:00:00.000Z');
    const notMine = result(other.configurationId, other.scriptId, '2026-01-05T10:00:01.000Z');
    const mixed = await post('/results', { results: [mine, notMine] });
    expect(mixed.statusCode).toBe(404);
    expect(mixed.json().message).toContain(notMine.executionId);
    expect(await logs()).toEqual([]);
    expect((await post('/results', { results: [mine] })).json()).toEqual({ accepted: 1 });
    const none = await post('/results', { results: [result(other.configurationId, other.scriptId, '2026-01-05T10:00:02.000Z')] });
    expect(none.statusCode).toBe(404);
    expect((await logs()).map((l) => (l.result as ScriptResult).executionId)).toEqual([mine.executionId]);
  });

  it('does not let a device overwrite or claim another device’s execution id', async () => {
    const bob = await t.enrolledDevice('bob');
    const r = result(configurationId, scriptId, '2026-01-05T10:00:00.000Z');
    expect((await post('/results', { results: [r] })).json()).toEqual({ accepted: 1 });
    const forged = await t.device(bob.keys, bob.deviceId, 'POST', '/results', { results: [{ ...r, stdout: 'forged' }] });
    expect(forged.json()).toEqual({ accepted: 0 });
    expect(((await logs())[0]!.result as ScriptResult).stdout).toBe('hello\n');
    expect((await t.adminOk<{ logs: unknown[] }>('GET', `/devices/${bob.deviceId}/logs`)).logs).toEqual([]);
  });

  it('merges results and events newest first, whatever time zone offset the device used', async () => {
    const event: DeviceEvent = { id: randomUUID(), type: 'onboarding.step_done', at: '2026-01-05T11:30:00+01:00', message: 'Configurations installed', data: { step: 'configurations' } };
    const older = result(configurationId, scriptId, '2026-01-05T10:00:00.000Z');
    const newer = result(configurationId, scriptId, '2026-01-05T10:45:00.000Z', { status: 'failed', exitCode: 3 });
    expect((await post('/results', { results: [older, newer] })).json()).toEqual({ accepted: 2 });
    const events = await post('/events', { events: [event, event] });
    expect(events.statusCode).toBe(200);
    expect(events.json()).toEqual({ accepted: 1 });
    expect((await post('/events', { events: [event] })).json()).toEqual({ accepted: 1 });

    const entries = await logs();
    expect(entries.map((e) => e.kind)).toEqual(['script_result', 'event', 'script_result']);
    expect(entries[0]!.result).toEqual(newer);
    expect(entries[1]).toMatchObject({ kind: 'event', at: '2026-01-05T10:30:00.000Z', event });
    expect(entries[2]!.result).toEqual(older);
    expect((await t.admin('GET', `/devices/${device.deviceId}/logs?limit=1`)).json<{ logs: unknown[] }>().logs).toHaveLength(1);
    expect((await t.admin('GET', '/devices/unknown/logs')).statusCode).toBe(404);
  });
});
