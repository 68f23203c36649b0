// Tenant PKI at rest and in use (issue 4): the master key, rotation without re-enrolling, revocation published in a root-signed CRL.
import { randomBytes, X509Certificate } from 'node:crypto';
import { chmod, readdir } from 'node:fs/promises';
import path from 'node:path';
import { compactDecrypt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acceptRevocationList, EMPTY_REPLAY_RECORD, replayStateOf } from '../../src/agent/trust/replay-record';
import { verifyRevocationList } from '../../src/agent/trust/revocation-list';
import { openTicket, TicketRejectedError } from '../../src/agent/trust/ticket-verifier';
import { CheckinResponseSchema, type CheckinResponse } from '../../src/shared/protocol';
import { startServer } from '../../src/server/app/server-app';
import { BACKENDS } from '../support/test-databases';
import { makeTempDir, removeDir, TestServer } from './server-fixture';

const MASTER_KEY_ENV = 'ATWORK_MASTER_KEY';

describe('master key', () => {
  let root: string;
  let dataDir: string;
  const saved = process.env[MASTER_KEY_ENV];
  beforeEach(async () => {
    root = await makeTempDir();
    dataDir = path.join(root, 'data');
  });
  afterEach(async () => {
    if (saved === undefined) delete process.env[MASTER_KEY_ENV];
    else process.env[MASTER_KEY_ENV] = saved;
    await removeDir(root);
  });

  it('comes from ATWORK_MASTER_KEY when set: no key file, and the same key opens the tenant keys after a restart', async () => {
    process.env[MASTER_KEY_ENV] = randomBytes(32).toString('base64');
    await (await startServer({ dataDir })).close();
    expect(await readdir(dataDir)).not.toContain('master-key');
    await (await startServer({ dataDir })).close();
    process.env[MASTER_KEY_ENV] = randomBytes(32).toString('hex');
    await expect(startServer({ dataDir })).rejects.toThrow(/master key is not the one this data folder was created with/);
  });

  it('refuses a malformed ATWORK_MASTER_KEY instead of stretching it', async () => {
    process.env[MASTER_KEY_ENV] = 'correct horse battery staple';
    await expect(startServer({ dataDir })).rejects.toThrow(/ATWORK_MASTER_KEY is not 32 bytes of base64 or hex/);
  });

  it('refuses a master key file that others can read', async () => {
    delete process.env[MASTER_KEY_ENV];
    await (await startServer({ dataDir })).close();
    await chmod(path.join(dataDir, 'master-key'), 0o644);
    await expect(startServer({ dataDir })).rejects.toThrow(/readable by other users/);
  });
});

describe.each(BACKENDS)('signing certificate rotation and revocation (%s)', (backend) => {
  let t: TestServer;
  let device: Awaited<ReturnType<TestServer['enrolledDevice']>>;
  let rootPem: string;
  let tenantId: string;

  beforeEach(async () => {
    t = await TestServer.start({ backend });
    device = await t.enrolledDevice('alice');
    rootPem = device.enrollment.tenantRootCertificate;
    tenantId = device.enrollment.tenantId;
    await t.distributeSystemDefaultAgentConfiguration();
    await t.createScriptConfiguration('echo hello', 'everyone');
  });
  afterEach(async () => {
    await t.stop();
  });

  const checkIn = async (): Promise<CheckinResponse> => {
    const response = await t.device(device.keys, device.deviceId, 'POST', '/checkin', { agentVersion: '0.1.0', osVersion: '15.1' });
    expect(response.statusCode, response.body).toBe(200);
    return CheckinResponseSchema.parse(response.json());
  };
  const ticketOf = (answer: CheckinResponse): string => answer.scripts[0]!.ticket;
  const signingSerialOf = async (ticket: string): Promise<string> => {
    const { plaintext } = await compactDecrypt(ticket, device.keys.privateKey);
    const header = JSON.parse(Buffer.from(Buffer.from(plaintext).toString().split('.')[0]!, 'base64url').toString()) as { x5c: string[] };
    return new X509Certificate(Buffer.from(header.x5c[0]!, 'base64')).serialNumber.toLowerCase().replace(/^0+/, '');
  };
  const trust = () => ({ rootCertificatePem: rootPem, tenantId, deviceId: device.deviceId, deviceKey: device.keys.privateKey });
  const rejection = async (promise: Promise<unknown>) => promise.then(() => 'accepted', (e: unknown) => (e instanceof TicketRejectedError ? e.code : String(e)));

  it('signs with a new certificate at once after a rotation, and the enrolled device accepts it without re-enrolling', async () => {
    const before = ticketOf(await checkIn());
    const { serialNumber } = await t.adminOk<{ serialNumber: string }>('POST', '/signing-certificates');
    const after = ticketOf(await checkIn());
    expect(await signingSerialOf(before)).not.toBe(serialNumber);
    expect(await signingSerialOf(after)).toBe(serialNumber);
    const claims = await openTicket(after, trust(), replayStateOf(EMPTY_REPLAY_RECORD), new Date());
    expect(claims.aud).toBe(device.deviceId);
    const { signingCertificates } = await t.adminOk<{ signingCertificates: { serialNumber: string; current: boolean }[] }>('GET', '/signing-certificates');
    expect(signingCertificates.filter((c) => c.current).map((c) => c.serialNumber)).toEqual([serialNumber]);
  });

  it('publishes a revocation in a root-signed CRL: tickets of the revoked certificate are refused, the replacement works, an older CRL changes nothing', async () => {
    const first = await checkIn();
    const oldTicket = ticketOf(first);
    const oldSerial = await signingSerialOf(oldTicket);
    const revoked = await t.adminOk<{ replacedBy: string }>('POST', `/signing-certificates/${oldSerial}/revoke`, { reason: 'keyCompromise' });
    expect(revoked.replacedBy).toMatch(/^[0-9a-f]+$/);

    const second = await checkIn();
    const now = new Date();
    const oldList = await verifyRevocationList(Buffer.from(first.revocationList!, 'base64'), rootPem, now);
    const newList = await verifyRevocationList(Buffer.from(second.revocationList!, 'base64'), rootPem, now);
    expect(newList.crlNumber).toBeGreaterThan(oldList.crlNumber);
    expect(newList.revokedSerials).toEqual([oldSerial]);

    const record = acceptRevocationList(acceptRevocationList(EMPTY_REPLAY_RECORD, newList), oldList);
    expect(record.revocation).toEqual(newList);
    expect(await rejection(openTicket(oldTicket, trust(), replayStateOf(record), now))).toBe('certificate_revoked');
    expect(await signingSerialOf(ticketOf(second))).toBe(revoked.replacedBy);
    expect(await rejection(openTicket(ticketOf(second), trust(), replayStateOf(record), now))).toBe('accepted');

    const again = await t.admin('POST', `/signing-certificates/${oldSerial}/revoke`, {});
    expect(again.statusCode).toBe(404);
    const malformed = await t.admin('POST', '/signing-certificates/not-hex/revoke', {});
    expect(malformed.statusCode).toBe(400);
  });
});
