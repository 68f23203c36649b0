// `atwork-agent schedule`, run as a real process through its bin shim, against the independently computed case table.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { previewSchedule } from '../../src/agent/cli/cli-schedule';
import { SCHEDULE_CASES } from '../shared/schedule-cases';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/atwork-agent.js');

async function schedule(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, 'schedule', ...args], { env: { ...process.env, ...env }, timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const caseNamed = (start: string) => SCHEDULE_CASES.find((c) => c.name.startsWith(start))!;

// Each test starts a process (a few tenths of a second of start-up each), so they run side by side; the math itself is covered
// case by case in tests/shared/schedule.test.ts.
describe.concurrent('atwork-agent schedule', () => {
  it.each([
    'Berlin spring forward: 02:30 in the gap',
    'Cairo fall back at midnight',
    'Chatham (+12:45) spring forward',
    'Inclusive end date',
    'Ended schedule',
  ])('prints the table case "%s" one instant per line', async (name) => {
    const c = caseNamed(name);
    const { code, stdout, stderr } = await schedule(['--spec', JSON.stringify(c.spec), '--from', c.from, '--count', String(c.count), '--device-tz', c.deviceTz]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toBe(c.expected.map((line) => `${line}\n`).join(''));
  });

  it("reads device time in the machine's zone when --device-tz is not given", async () => {
    const c = caseNamed('Kolkata');
    const { code, stdout } = await schedule(['--spec', JSON.stringify(c.spec), '--from', c.from, '--count', String(c.count)], { TZ: 'Asia/Kolkata' });
    expect(code).toBe(0);
    expect(stdout).toBe(c.expected.map((line) => `${line}\n`).join(''));
  });

  it('exits 2 with one sentence and prints nothing for an invalid spec', async () => {
    const spec = { kind: 'recurring', timezone: 'device', start: '2026-12-31', end: '2026-12-01', frequency: 'daily', times: ['09:30'] };
    const { code, stdout, stderr } = await schedule(['--spec', JSON.stringify(spec), '--from', '2026-12-01T00:00:00Z', '--count', '3']);
    expect({ code, stdout, stderr }).toEqual({ code: 2, stdout: '', stderr: 'atwork-agent: schedule spec is invalid: end must be on or after the start date\n' });
  });

});

describe('previewSchedule', () => {
  const spec = JSON.stringify(caseNamed('Kolkata').spec);

  it('refuses a spec that is not JSON', () => {
    expect(previewSchedule({ spec: '{kind: once}', from: '2026-05-10T00:00:00Z', count: '3', deviceTz: 'UTC' })).toEqual({
      success: false,
      message: `--spec is not valid JSON; pass a schedule spec such as '{"kind":"once"}'`,
    });
  });

  it.each([
    [{ from: '2026-05-10', count: '3', deviceTz: 'UTC' }, '--from 2026-05-10 is not an ISO 8601 instant with a zone offset, such as 2026-12-01T08:00:00Z'],
    [{ from: '2026-05-10T00:00:00', count: '3', deviceTz: 'UTC' }, '--from 2026-05-10T00:00:00 is not an ISO 8601 instant with a zone offset, such as 2026-12-01T08:00:00Z'],
    [{ from: '2026-05-10T00:00:00Z', count: '-1', deviceTz: 'UTC' }, '--count must be a whole number from 0 to 10000'],
    [{ from: '2026-05-10T00:00:00Z', count: '10001', deviceTz: 'UTC' }, '--count must be a whole number from 0 to 10000'],
    [{ from: '2026-05-10T00:00:00Z', count: '2.5', deviceTz: 'UTC' }, '--count must be a whole number from 0 to 10000'],
    [{ from: '2026-05-10T00:00:00Z', count: '3', deviceTz: 'Mars/Olympus_Mons' }, '--device-tz Mars/Olympus_Mons is not a known IANA time zone'],
  ])('refuses %o', (request, message) => {
    expect(previewSchedule({ spec, ...request })).toEqual({ success: false, message });
  });

  it('takes --from with an offset and prints UTC', () => {
    expect(previewSchedule({ spec, from: '2026-05-10T09:00:00+05:30', count: '2', deviceTz: 'Asia/Kolkata' })).toEqual({
      success: true,
      lines: ['2026-05-10T03:30:00Z', '2026-05-11T03:30:00Z'],
    });
  });

  it('prints the arrival instant for an execute-once spec, and nothing for a count of 0', () => {
    expect(previewSchedule({ spec: '{"kind":"once"}', from: '2026-05-10T09:00:00Z', count: '3', deviceTz: 'UTC' })).toEqual({ success: true, lines: ['2026-05-10T09:00:00Z'] });
    expect(previewSchedule({ spec, from: '2026-05-10T09:00:00Z', count: '0', deviceTz: 'UTC' })).toEqual({ success: true, lines: [] });
  });
});
