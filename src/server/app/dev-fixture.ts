// `atwork-server dev-fixture`: a fresh tenant, device and ticket written as files, for tamper tests of `atwork-agent open-ticket`.
import { createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_AGENT_CONFIG } from '../../shared/agent-config';
import { sealBlob } from '../../shared/node/blob-cipher';
import { generateP256PrivateKey } from '../../shared/node/p256-key';
import { DevicePublicJwkSchema } from '../../shared/protocol';
import { BLOB_PATH_PREFIX } from '../../shared/ticket';
import { createRevocationList, createTenantPki } from '../pki/tenant-pki';
import { issueTicket } from '../device-api/ticket-issuer';

/** Lifetime a fixture ticket has had when its --ttl is zero or negative: it was issued this long before it expired. */
const EXPIRED_TICKET_LIFETIME_SECONDS = 3600;

export interface DevFixtureOptions {
  out: string;
  /** Seconds from now until the ticket expires; negative for a ticket that expired that long ago. */
  ttlSeconds: number;
  script: string;
  now?: Date;
}

export interface DevFixture {
  tenantId: string;
  deviceId: string;
}

/**
 * Creates the fixture the tamper tests attack: the same PKI, sealing and ticket issuer the server uses at check-in.
 *
 * Files: tenant-root.pem, device-key.jwk (the device's private key), device-id, ticket, blob, script, and crl (the
 * tenant's current revocation list, base64 DER, for `open-ticket --crl`). Secret files are 0600.
 */
export async function writeDevFixture(options: DevFixtureOptions): Promise<DevFixture> {
  const now = options.now ?? new Date();
  const tenantId = randomUUID();
  const deviceId = randomUUID();
  const pki = await createTenantPki(tenantId, 'Dev fixture', now);
  const devicePrivateKey = generateP256PrivateKey();
  const device = { privateKey: devicePrivateKey, publicKey: createPublicKey(devicePrivateKey) };
  const sealed = sealBlob(Buffer.from(options.script, 'utf8'));
  // An already expired ticket is one issued earlier with a normal lifetime, not one whose exp precedes its iat.
  const expired = options.ttlSeconds <= 0;
  const issuedAt = expired ? new Date(now.getTime() + (options.ttlSeconds - EXPIRED_TICKET_LIFETIME_SECONDS) * 1000) : now;
  const ticket = await issueTicket(
    {
      deviceId,
      devicePublicJwk: DevicePublicJwkSchema.parse(device.publicKey.export({ format: 'jwk' })),
      seq: 1,
      configurationId: randomUUID(),
      configurationVersion: 1,
      script: { id: randomUUID(), version: 1, name: 'dev fixture', interpreter: 'bash', runAsRoot: false },
      blob: { path: `${BLOB_PATH_PREFIX}${randomUUID()}`, sha256: sealed.sha256, size: sealed.blob.length, key: sealed.key },
      limits: { maxRunTimeSeconds: DEFAULT_AGENT_CONFIG.maxRunTimeSeconds, maxResponseSizeKb: DEFAULT_AGENT_CONFIG.maxResponseSizeKb },
      schedule: { kind: 'once' },
      variables: {},
    },
    { tenantId, signingKey: createPrivateKey(pki.signingPrivateKeyPem), certificateChainPem: [pki.signingCertificatePem, pki.rootCertificatePem] },
    { now: issuedAt, ttlSeconds: expired ? EXPIRED_TICKET_LIFETIME_SECONDS : options.ttlSeconds },
  );
  const crl = await createRevocationList(pki.rootCertificatePem, createPrivateKey(pki.rootPrivateKeyPem), 1, [], now);

  await mkdir(options.out, { recursive: true, mode: 0o700 });
  const write = async (name: string, data: string | Buffer, mode = 0o644) => {
    const file = path.join(options.out, name);
    await writeFile(file, data, { mode });
    await chmod(file, mode);
  };
  await write('tenant-root.pem', pki.rootCertificatePem);
  await write('device-key.jwk', `${JSON.stringify(device.privateKey.export({ format: 'jwk' }))}\n`, 0o600);
  await write('device-id', `${deviceId}\n`);
  await write('ticket', ticket);
  await write('blob', sealed.blob);
  await write('script', options.script, 0o600);
  await write('crl', `${crl.toString('base64')}\n`);
  return { tenantId, deviceId };
}
