// Admin API: schedule specs are validated with the shared schema (a clear 400) and next runs come from the agent's own math.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SCHEDULE_CASES } from '../shared/schedule-cases';
import { TestServer } from './server-fixture';

describe('script configuration schedules', () => {
  let t: TestServer;
  let scriptId: string;
  beforeEach(async () => {
    t = await TestServer.start();
    scriptId = (await t.adminOk<{ id: string }>('POST', '/scripts', { name: 'Nightly', type: 'bash', body: 'true\n' })).id;
  });
  afterEach(async () => {
    await t.stop();
  });

  const configure = (schedule: unknown) => t.admin('POST', '/script-configurations', { name: 'Nightly', scriptId, schedule });

  it.each([
    [{ kind: 'recurring', timezone: 'device', start: '2026-12-31', end: '2026-12-01', frequency: 'daily', times: ['09:30'] }, 'Invalid schedule.end: must be on or after the start date.'],
    [{ kind: 'recurring', timezone: 'utc', start: '2026-12-01', end: '2026-12-31', frequency: 'weekly', times: ['09:30'] }, 'Invalid schedule.days: are required for a weekly schedule.'],
    [{ kind: 'recurring', timezone: 'utc', start: '2026-12-01', end: '2026-12-31', frequency: 'daily', times: ['9:30'] }, 'Invalid schedule.times.0: must be a time written HH:MM, 24-hour.'],
    [{ kind: 'recurring', timezone: 'utc', start: '2026-02-30', end: '2026-12-31', frequency: 'daily', times: ['09:30'] }, 'Invalid schedule.start: must be a day that exists in the calendar.'],
    [{ kind: 'hourly' }, 'Invalid schedule.kind: must be "once" or "recurring".'],
  ])('refuses an invalid schedule with a 400 that says why: %o', async (schedule, message) => {
    const response = await configure(schedule);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'bad_request', message });
  });

  it('shows the next runs of a configuration for a device zone, as the agent computes them', async () => {
    const c = SCHEDULE_CASES.find((x) => x.name.startsWith('Lord Howe 30-minute spring forward'))!;
    const created = await configure(c.spec);
    expect(created.statusCode).toBe(201);
    const id = created.json<{ id: string }>().id;
    const query = new URLSearchParams({ count: String(c.count), deviceTz: c.deviceTz, from: c.from });
    expect(await t.adminOk('GET', `/script-configurations/${id}/next-runs?${query}`)).toEqual({
      configurationId: id,
      version: 1,
      schedule: c.spec,
      deviceTimeZone: c.deviceTz,
      from: c.from,
      runs: c.expected,
    });
  });

  it('refuses an unknown zone or count with a 400 and an unknown configuration with a 404', async () => {
    const id = (await configure({ kind: 'once' })).json<{ id: string }>().id;
    const badZone = await t.admin('GET', `/script-configurations/${id}/next-runs?deviceTz=Mars/Olympus_Mons`);
    expect(badZone.statusCode).toBe(400);
    expect(badZone.json<{ message: string }>().message).toBe('Invalid deviceTz: must be a known IANA time zone such as Europe/Paris.');
    expect((await t.admin('GET', `/script-configurations/${id}/next-runs?count=0`)).statusCode).toBe(400);
    expect((await t.admin('GET', `/script-configurations/${id}/next-runs?count=101`)).statusCode).toBe(400);
    expect((await t.admin('GET', '/script-configurations/missing/next-runs')).statusCode).toBe(404);
    expect((await t.adminOk<{ runs: string[]; deviceTimeZone: string }>('GET', `/script-configurations/${id}/next-runs`))).toMatchObject({ deviceTimeZone: 'UTC', runs: [expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)] });
  });
});
