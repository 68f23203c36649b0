// Issue 9 on both databases: NUL in device text is a 400 naming the field, binary output round-trips, results follow the tickets given.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScriptResult } from '../../src/shared/script-result';
import { ENROLL_SUBJECT, signDeviceToken } from '../../src/shared/node/device-token';
import { BACKENDS } from '../support/test-databases';
import { sampleResult } from '../support/sample-result';
import { DEVICE, newDeviceKeys, TestServer, type DeviceKeys } from './server-fixture';

const NUL = 'a\u0000b';
const FACTS = { name: 'Mac', osName: 'macOS', osVersion: '15.1', model: 'Mac15,3', serialNumber: null, agentVersion: '0.1.0' };

interface Device {
  deviceId: string;
  keys: DeviceKeys;
}

describe.each(BACKENDS)('device API input on %s', (backend) => {
  let t: TestServer;
  let a: Device;
  let b: Device;
  beforeAll(async () => {
    t = await TestServer.start({ backend, deviceRateLimits: { perDevice: 10_000, enrollPerAddress: 10_000, perAddress: 100_000 } });
    await t.distributeSystemDefaultAgentConfiguration();
    [a, b] = [await t.enrolledDevice('alice'), await t.enrolledDevice('bob')];
  });
  afterAll(async () => {
    await t.stop();
  });

  const post = (device: Device, url: string, payload: unknown) => t.device(device.keys, device.deviceId, 'POST', url, payload);
  const checkIn = async (device: Device) => expect((await post(device, '/checkin', { agentVersion: '0.1.0', osVersion: '15.1' })).statusCode).toBe(200);
  const logs = async (device: Device) => (await t.adminOk<{ logs: { kind: string; result?: ScriptResult; event?: { type: string; message: string } }[] }>('GET', `/devices/${device.deviceId}/logs`)).logs;
  const attributes = async (device: Device) => (await t.adminOk<{ attributes: Record<string, string> }>('GET', `/devices/${device.deviceId}`)).attributes;

  /** A script with a custom attribute and a configuration of it distributed to `distribution`. */
  const attributeScript = async (attribute: string, distribution: unknown) => {
    const script = await t.adminOk<{ id: string }>('POST', '/scripts', { name: `Sets ${attribute}`, type: 'bash', body: 'echo x', attribute });
    const configuration = await t.adminOk<{ id: string }>('POST', '/script-configurations', { name: `Sets ${attribute}`, scriptId: script.id, schedule: { kind: 'once' }, distribution });
    return { scriptId: script.id, configurationId: configuration.id };
  };
  const resultOf = (c: { scriptId: string; configurationId: string }, stdout: string, extra: Partial<ScriptResult> = {}): ScriptResult => ({
    ...sampleResult({ ...c, scriptVersion: 1, scriptName: 'x', stdout, endedAt: new Date().toISOString() }),
    ...extra,
  });

  it('refuses NUL in every device text field with a 400 naming the field', async () => {
    const c = await t.createScriptConfiguration('echo nul', 'everyone');
    const keys = newDeviceKeys();
    const enroll = async (body: Record<string, unknown>) =>
      t.server.app.inject({
        method: 'POST',
        url: `${DEVICE}/enroll`,
        headers: { authorization: `Bearer ${await signDeviceToken(keys.privateKey, ENROLL_SUBJECT)}` },
        payload: { method: 'pin', username: 'alice', pin: '12345678', publicKey: keys.publicJwk, device: FACTS, ...body },
      });
    const event = { id: randomUUID(), type: 'onboarding.step_done', at: new Date().toISOString(), message: 'ok' };
    const cases: [string, () => Promise<{ statusCode: number; json: () => { error: string; message: string } }>][] = [
      ['device.name', () => enroll({ device: { ...FACTS, name: NUL } })],
      ['device.serialNumber', () => enroll({ device: { ...FACTS, serialNumber: NUL } })],
      ['username', () => enroll({ username: NUL })],
      ['pin', () => enroll({ pin: `1234${NUL}` })],
      ['agentVersion', () => post(a, '/checkin', { agentVersion: '1\u0000', osVersion: '15.1' })],
      ['osVersion', () => post(a, '/checkin', { agentVersion: '1', osVersion: NUL })],
      ['results.0.scriptName', () => post(a, '/results', { results: [resultOf(c, 'x', { scriptName: NUL })] })],
      ['results.0.error', () => post(a, '/results', { results: [resultOf(c, 'x', { error: NUL })] })],
      ['results.0.signal', () => post(a, '/results', { results: [resultOf(c, 'x', { signal: NUL })] })],
      ['results.0.configurationId', () => post(a, '/results', { results: [resultOf(c, 'x', { configurationId: NUL })] })],
      ['events.0.message', () => post(a, '/events', { events: [{ ...event, message: NUL }] })],
      ['events.0.data.step', () => post(a, '/events', { events: [{ ...event, data: { step: NUL } }] })],
      ['apps.0.name', () => post(a, '/inventory', { apps: [{ bundleId: 'com.example', name: NUL, version: null }] })],
    ];
    for (const [field, send] of cases) {
      const response = await send();
      expect(response.statusCode, field).toBe(400);
      expect(response.json(), field).toEqual({ error: 'bad_request', message: `Invalid ${field}: must not contain NUL characters.` });
    }
  });

  it('keeps output that is not UTF-8 text byte for byte as base64, and says so in the device log', async () => {
    const c = await t.createScriptConfiguration("printf 'blue\\0green\\377'", 'everyone');
    const stdoutBytes = Buffer.from([...Buffer.from('blue\0green'), 0xff, 0xfe, 0x80, 0xc3, 0x28]);
    const stderrBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const result = resultOf(c, stdoutBytes.toString('base64'), { stdoutEncoding: 'base64', stderr: stderrBytes.toString('base64'), stderrEncoding: 'base64', stderrBytes: 256 });
    const response = await post(a, '/results', { results: [result] });
    expect(response.statusCode, response.body).toBe(200);
    const stored = (await logs(a)).find((l) => l.result?.executionId === result.executionId)!.result!;
    expect(stored).toMatchObject({ stdoutEncoding: 'base64', stderrEncoding: 'base64' });
    expect(Buffer.from(stored.stdout, 'base64').equals(stdoutBytes)).toBe(true);
    expect(Buffer.from(stored.stderr, 'base64').equals(stderrBytes)).toBe(true);

    const older = resultOf(c, 'text of an older agent');
    delete (older as Partial<ScriptResult>).stdoutEncoding;
    expect((await post(a, '/results', { results: [older] })).statusCode).toBe(200);
    expect((await logs(a)).find((l) => l.result?.executionId === older.executionId)!.result).toMatchObject({ stdoutEncoding: 'utf8', stderrEncoding: 'utf8' });

    const notBase64 = await post(a, '/results', { results: [resultOf(c, 'not base64!', { stdoutEncoding: 'base64' })] });
    expect(notBase64.statusCode).toBe(400);
    expect(notBase64.json<{ message: string }>().message).toMatch(/^Invalid results\.0\.stdout: /);
  });

  it('leaves a custom attribute unchanged by NUL or binary output and records why in the device log', async () => {
    const c = await attributeScript('Colour', { kind: 'everyone' });
    expect((await post(a, '/results', { results: [resultOf(c, 'red\n')] })).statusCode).toBe(200);
    expect((await attributes(a)).Colour).toBe('red');
    // What `printf 'blue\0green'` gives from an older agent (NUL in text) and from this one (base64).
    const later = (s: number) => new Date(Date.now() + s * 1000).toISOString();
    const withNul = resultOf(c, 'blue\u0000green', { endedAt: later(1) });
    const binary = resultOf(c, Buffer.from('blue\0green').toString('base64'), { stdoutEncoding: 'base64', endedAt: later(2) });
    for (const result of [withNul, binary]) {
      const response = await post(a, '/results', { results: [result] });
      expect(response.statusCode, response.body).toBe(200);
      expect((await attributes(a)).Colour).toBe('red');
    }
    const notes = (await logs(a)).filter((l) => l.event?.type === 'attribute.not_set').map((l) => l.event!.message);
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(/^Custom attribute Colour was left unchanged: its output is not UTF-8 text/);
    expect(notes[1]).toMatch(/^Custom attribute Colour was left unchanged: its output holds NUL characters/);
  });

  it('accepts results of a configuration the device was given after it is distributed to no one, never of one it was not given', async () => {
    const given = await t.createScriptConfiguration('echo given', 'everyone');
    await checkIn(a);
    await t.adminOk('PUT', `/script-configurations/${given.configurationId}/distribution`, { kind: 'none' });
    const queued = await post(a, '/results', { results: [resultOf(given, 'ran before the change')] });
    expect(queued.statusCode, queued.body).toBe(200);
    expect(queued.json()).toEqual({ accepted: 1 });

    const neverGiven = await t.createScriptConfiguration('echo never', 'none');
    expect((await post(a, '/results', { results: [resultOf(neverGiven, 'x')] })).statusCode).toBe(404);
    // b enrolled but never checked in while `given` was distributed: it was never given a ticket for it.
    expect((await post(b, '/results', { results: [resultOf(given, 'x')] })).statusCode).toBe(404);
    expect((await post(a, '/results', { results: [resultOf({ ...given, configurationId: randomUUID() }, 'x')] })).statusCode).toBe(404);
  });

  it("takes a result's script from the ticket, so a device cannot set another script's attribute", async () => {
    const victim = await attributeScript('Owner', { kind: 'none' });
    const mine = await attributeScript('Mine', { kind: 'custom', devices: [a.deviceId] });
    await checkIn(a);
    const forged = resultOf({ configurationId: mine.configurationId, scriptId: victim.scriptId }, 'mallory', { scriptVersion: 7 });
    const response = await post(a, '/results', { results: [forged] });
    expect(response.statusCode, response.body).toBe(200);
    const attrs = await attributes(a);
    expect(attrs.Owner).toBeUndefined();
    expect(attrs.Mine).toBe('mallory');
    const stored = (await logs(a)).find((l) => l.result?.executionId === forged.executionId)!.result!;
    expect(stored).toMatchObject({ scriptId: mine.scriptId, scriptVersion: 1 });
  });

  it('bounds numeric result fields to what storage holds', async () => {
    const c = await t.createScriptConfiguration('echo numbers', 'everyone');
    const cases: [keyof ScriptResult, number, number][] = [
      ['scriptVersion', 2_147_483_647, 2_147_483_648],
      ['exitCode', -2_147_483_648, -2_147_483_649],
      ['exitCode', 2_147_483_647, 2_147_483_648],
      ['durationMs', Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2],
      ['stdoutBytes', 0, -1],
    ];
    for (const [field, ok, past] of cases) {
      const accepted = await post(a, '/results', { results: [resultOf(c, 'x', { [field]: ok })] });
      expect(accepted.statusCode, `${field}=${ok} ${accepted.body}`).toBe(200);
      const refused = await post(a, '/results', { results: [resultOf(c, 'x', { [field]: past })] });
      expect(refused.statusCode, `${field}=${past}`).toBe(400);
      expect(refused.json<{ message: string }>().message).toMatch(new RegExp(`^Invalid results\\.0\\.${field}: `));
    }
  });
});
