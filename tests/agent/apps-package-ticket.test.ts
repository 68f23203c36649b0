// Package tickets the agent refuses before a byte is downloaded: wrong algorithm, audience, lifetime, a revoked signer, another root.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandInstaller } from '../../src/agent/apps/package-installer';
import { verifyPackageTicket, MAX_PACKAGE_TICKET_BYTES } from '../../src/agent/trust/package-ticket-verifier';
import { TicketRejectedError } from '../../src/agent/trust/ticket-verifier';
import { createRevocationList, normalizeSerial } from '../../src/server/pki/tenant-pki';
import { DEVICE_API_PREFIX } from '../../src/shared/protocol';
import { tempDir } from './agent-test-kit';
import { enrolledOverHttp, FakeServer, pki, TENANT_ID, type FakeApp } from './fake-device-server';

const app = (ticket: FakeApp['ticket']): FakeApp => ({ id: 'app-notes', name: 'Notes', version: '2.1.0', package: Buffer.from('a package'), ticket });

async function refusedInstall(ticket: FakeApp['ticket'], prepare?: (t: Awaited<ReturnType<typeof enrolledOverHttp>>) => Promise<void>) {
  const dir = await tempDir();
  const marker = join(dir, 'ran');
  const script = join(dir, 'installer.sh');
  await writeFile(script, `#!/bin/sh\ntouch '${marker}'\n`, { mode: 0o755 });
  const t = await enrolledOverHttp(new CommandInstaller(script, (f) => [f]));
  await prepare?.(t);
  t.server.addApp(app(ticket));
  const progress = await t.agent.installApp('app-notes');
  // Refused at once: no download was even asked for, the installer never ran, and the server hears of it.
  expect(progress).toMatchObject({ appId: 'app-notes', phase: 'failed', endedAt: expect.any(String) });
  expect(t.server.packageDownloads('app-notes')).toEqual([]);
  await t.agent.stop();
  expect(existsSync(marker)).toBe(false);
  expect(t.server.installReports('app-notes')).toEqual([expect.objectContaining({ state: 'failed', message: progress.message })]);
  expect(await t.agent.getInstalls()).toEqual([progress]);
  return progress.message ?? '';
}

describe('a package ticket', () => {
  it.each([
    ['alg none', { alg: 'none' as const }, /malformed|not have 3 parts|not canonical/],
    ['HS256', { alg: 'HS256' as const }, /algorithm HS256 is not allowed/],
    ['another device', { claims: { aud: 'another-device' } }, /another device/],
    ['another tenant', { claims: { iss: 'another-tenant' } }, /another tenant/],
    ['an expired one', { claims: { iat: 1_700_000_000, exp: 1_700_003_600 } }, /expired/],
    ['one issued in the future', { claims: { iat: Math.floor(Date.now() / 1000) + 3600, exp: Math.floor(Date.now() / 1000) + 7200 } }, /future/],
    ['another app', { claims: { appId: 'app-other' } }, /for app app-other/],
    ['a root the agent did not pin', { forged: true }, /not issued by the pinned tenant root/],
  ])('is refused when it is %s', async (_name, ticket, reason) => {
    expect(await refusedInstall(ticket)).toMatch(reason);
  });

  it('is refused when its signing certificate is revoked by the kept CRL', async () => {
    const message = await refusedInstall(undefined, async ({ agent, server }) => {
      const serial = normalizeSerial(new X509Certificate(pki.signingCertificatePem).serialNumber);
      const crl = await createRevocationList(pki.rootCertificatePem, createPrivateKey(pki.rootPrivateKeyPem), 1, [{ serialNumber: serial, revokedAt: new Date(), reason: 'keyCompromise' }], new Date());
      const checkin = `${DEVICE_API_PREFIX}/checkin`;
      const original = server.api.routes.get(`POST ${checkin}`)!;
      server.api.on('POST', checkin, async (request) => {
        const answer = await original(request);
        return { ...answer, body: { ...(answer.body as object), revocationList: crl.toString('base64') } };
      });
      expect((await agent.checkInNow()).lastCheckinError).toBeNull();
    });
    expect(message).toMatch(/revoked/);
  });

  it('is refused before parsing when it is larger than allowed, and with its rejection code', async () => {
    const trust = { rootCertificatePem: pki.rootCertificatePem, tenantId: TENANT_ID, deviceId: 'device-1' };
    const none = { isRevoked: () => false };
    await expect(verifyPackageTicket('a'.repeat(MAX_PACKAGE_TICKET_BYTES + 1), trust, none, new Date())).rejects.toMatchObject({ code: 'ticket_too_large' });
    const server = new FakeServer();
    const genuine = await server.packageTicket(app(undefined));
    const claims = await verifyPackageTicket(genuine, { ...trust, deviceId: server.deviceId }, none, new Date());
    expect(claims).toMatchObject({ iss: TENANT_ID, aud: server.deviceId, appId: 'app-notes', package: { size: 9 } });
    const error = await verifyPackageTicket(genuine, trust, none, new Date()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TicketRejectedError);
    expect(error).toMatchObject({ code: 'wrong_audience' });
  });
});
