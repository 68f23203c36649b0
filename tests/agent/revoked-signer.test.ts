// A kept recurring schedule stops once a tenant CRL revokes the certificate that signed its ticket (issue 10, item 8).
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FileStateStore } from '../../src/agent/state/file-state-store';
import { createRevocationList, normalizeSerial } from '../../src/server/pki/tenant-pki';
import { DEVICE_API_PREFIX, EventsRequestSchema } from '../../src/shared/protocol';
import { recordingLogger } from './agent-test-kit';
import { enrolled, pki } from './fake-device-server';
import { FakeClock } from './scheduler-fake-clock';
import { dailyAt930, DAY, HOUR, runMarker, T0 } from './schedule-fixture';


describe('a revoked signing certificate', () => {
  it('stops the kept schedule it signed, reports that in the device log, and runs it no more', async () => {
    const clock = new FakeClock(T0);
    const t = await enrolled({ clock, timeZone: () => 'UTC' });
    t.server.nextCheckinSeconds = 86_400;
    const { file: marker, runs } = runMarker(t.dir);
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
