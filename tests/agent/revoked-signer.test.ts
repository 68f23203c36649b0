// A kept recurring schedule stops once a tenant CRL revokes the certificate that signed its ticket (issue 10, item 8).
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileStateStore } from '../../src/agent/file-state-store';
import { createRevocationList, normalizeSerial } from '../../src/server/tenant-pki';
import { DEVICE_API_PREFIX, EventsRequestSchema } from '../../src/shared/protocol';
import type { ScheduleSpec } from '../../src/shared/schedule';
import { recordingLogger } from './agent-test-kit';
import { enrolled, pki } from './fake-device-server';
import { FakeClock } from './scheduler-fake-clock';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 09:00Z on the next day: near enough to now that certificates issued now are valid then. */
const T0 = new Date(Math.floor(Date.now() / DAY) * DAY + DAY + 9 * HOUR);
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dailyAt930: ScheduleSpec = { kind: 'recurring', timezone: 'utc', start: dateOf(T0.getTime()), end: dateOf(T0.getTime() + 30 * DAY), frequency: 'daily', times: ['09:30'] };

describe('a revoked signing certificate', () => {
  it('stops the kept schedule it signed, reports that in the device log, and runs it no more', async () => {
    const clock = new FakeClock(T0);
    const t = await enrolled({ clock, timeZone: () => 'UTC' });
    t.server.nextCheckinSeconds = 86_400;
    const marker = join(t.dir, 'runs');
    const runs = async () => (existsSync(marker) ? (await readFile(marker, 'utf8')).split('\n').filter(Boolean) : []);
    t.server.configurations.push({ configurationId: 'cfg-rec', version: 1, script: `echo rec >> ${marker}`, schedule: dailyAt930 });
    t.agent.start();
    await clock.advance(HOUR, () => t.agent.idle());
    expect(await runs()).toEqual(['rec']);
    const signerSerial = normalizeSerial(new X509Certificate(pki.signingCertificatePem).serialNumber);
    const store = new FileStateStore(t.stateDir, recordingLogger());
    expect((await store.readState())!.schedules).toMatchObject([{ configurationId: 'cfg-rec', signerSerial }]);

    const crl = await createRevocationList(pki.rootCertificatePem, createPrivateKey(pki.rootPrivateKeyPem), 1, [{ serialNumber: signerSerial, revokedAt: clock.now(), reason: 'keyCompromise' }], clock.now());
    const checkin = `${DEVICE_API_PREFIX}/checkin`;
    const original = t.server.api.routes.get(`POST ${checkin}`)!;
    t.server.api.on('POST', checkin, async (request) => {
      const answer = await original(request);
      return { ...answer, body: { ...(answer.body as object), revocationList: crl.toString('base64') } };
    });
    await t.agent.checkInNow();

    expect((await store.readState())!.schedules).toEqual([]);
    const events = t.server.events().flatMap((post) => EventsRequestSchema.parse(post.body).events);
    expect(events).toContainEqual(expect.objectContaining({ type: 'schedule.signer_revoked', data: { configurationId: 'cfg-rec', version: 1, signerSerial } }));
    // The same answer's fresh ticket is signed by the revoked certificate too, so it is refused rather than kept again.
    expect(events).toContainEqual(expect.objectContaining({ type: 'ticket.rejected', data: { configurationId: 'cfg-rec', code: 'certificate_revoked' } }));
    expect(t.logger.lines.map((l) => l.message)).toContain('stopped a recurring script schedule: the certificate that signed it is revoked');

    await clock.advance(2 * DAY, () => t.agent.idle());
    expect(await runs()).toEqual(['rec']);
    await t.agent.stop();
  });
});
