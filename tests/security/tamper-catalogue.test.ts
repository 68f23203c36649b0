// The negative catalogue (issue 4): each named attack on a ticket or blob, through open-ticket's own code on real files, gets its reason code;
// the command-line contract itself (exit codes, stdout byte for byte, one stderr line) is checked with real processes at the end.
import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CompactSign, FlattenedSign } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOpenTicket, type OpenTicketOutcome } from '../../src/agent/cli/cli-open-ticket';
import { createRevocationList, issueSigningCertificate } from '../../src/server/pki/tenant-pki';
import {
  b64uJson,
  encryptTo,
  flipInBuffer,
  flipInSegment,
  fromB64uJson,
  innerJws,
  issueFor,
  makeDevice,
  makeTempDir,
  makeTenant,
  openTicketCli,
  removeDir,
  runBin,
  cliArgs,
  SERVER_BIN,
  writeCase,
  type CaseFiles,
  type Device,
  type Issued,
  type Tenant,
} from './tamper-kit';

interface Case {
  name: string;
  code: string;
  /** Files of the attempt; `before` runs first against the same --state (e.g. the ticket a replay replays). */
  build: () => Promise<{ files: CaseFiles; before?: CaseFiles[] }>;
}

let work: string;
let tenant: Tenant;
let otherTenant: Tenant;
let device: Device;
let otherDevice: Device;
let genuine: Issued;

/** Re-signs (or not) the genuine ticket's inner JWS as `rewrite` says and encrypts it to the device again. */
async function forgeInner(rewrite: (parts: { header: Record<string, unknown>; payload: string; signature: string }) => Promise<string> | string): Promise<string> {
  const [h, payload, signature] = (await innerJws(device, genuine.ticket)).split('.') as [string, string, string];
  return encryptTo(device, await rewrite({ header: fromB64uJson(h), payload, signature }));
}

const files = (overrides: Partial<CaseFiles> = {}): CaseFiles => ({
  root: tenant.pki.rootCertificatePem,
  deviceKey: device.key,
  deviceId: device.id,
  ticket: genuine.ticket,
  blob: genuine.blob,
  ...overrides,
});

const jweFlip = (segment: number) => async () => ({ files: files({ ticket: flipInSegment(genuine.ticket, segment, 7) }) });

const CASES: Case[] = [
  { name: 'a flipped byte in the JWE protected header', code: 'jwe_header_invalid', build: jweFlip(0) },
  { name: 'a flipped byte in the JWE encrypted key', code: 'jwe_decrypt_failed', build: jweFlip(1) },
  { name: 'a flipped byte in the JWE IV', code: 'jwe_decrypt_failed', build: jweFlip(2) },
  { name: 'a flipped byte in the JWE ciphertext', code: 'jwe_decrypt_failed', build: jweFlip(3) },
  { name: 'a flipped byte in the JWE tag', code: 'jwe_decrypt_failed', build: jweFlip(4) },
  {
    name: 'a second spelling of the genuine ticket (spare base64url bits set)',
    code: 'ticket_malformed',
    build: async () => {
      const parts = genuine.ticket.split('.');
      const tag = parts[4] as string;
      // 16 bytes are 22 characters; the last one carries 4 unused bits, so 'A' -> 'B' keeps the bytes and changes the text.
      const last = tag.at(-1) as string;
      parts[4] = tag.slice(0, -1) + (last === 'A' ? 'B' : String.fromCharCode(last.charCodeAt(0) ^ 1));
      return { files: files({ ticket: parts.join('.') }) };
    },
  },
  { name: 'a truncated ticket', code: 'ticket_malformed', build: async () => ({ files: files({ ticket: genuine.ticket.slice(0, genuine.ticket.lastIndexOf('.')) }) }) },
  { name: 'an extended ticket', code: 'ticket_malformed', build: async () => ({ files: files({ ticket: `${genuine.ticket}.AAAA` }) }) },
  { name: 'a ticket with bytes appended to its ciphertext', code: 'jwe_decrypt_failed', build: async () => {
    const parts = genuine.ticket.split('.');
    parts[3] = Buffer.concat([Buffer.from(parts[3] as string, 'base64url'), Buffer.from('extra')]).toString('base64url');
    return { files: files({ ticket: parts.join('.') }) };
  } },
  { name: 'a huge ticket (8 MB)', code: 'ticket_too_large', build: async () => ({ files: files({ ticket: Buffer.alloc(8 * 1024 * 1024, 'A') }) }) },
  { name: 'a flipped byte in the blob', code: 'blob_hash_mismatch', build: async () => ({ files: files({ blob: flipInBuffer(genuine.blob, 40) }) }) },
  { name: 'a truncated blob', code: 'blob_size_mismatch', build: async () => ({ files: files({ blob: genuine.blob.subarray(0, genuine.blob.length - 1) }) }) },
  { name: 'an extended blob', code: 'blob_too_large', build: async () => ({ files: files({ blob: Buffer.concat([genuine.blob, Buffer.from([0])]) }) }) },
  {
    name: 'a blob from another ticket of the same size',
    code: 'blob_hash_mismatch',
    build: async () => {
      const other = await issueFor(device, tenant.signer, { script: genuine.script.toString().replace('tamper', 'TAMPER') });
      return { files: files({ blob: other.blob }) };
    },
  },
  {
    name: "another ticket's header spliced onto this ticket (mix and match)",
    code: 'jwe_decrypt_failed',
    build: async () => {
      const other = (await issueFor(device, tenant.signer)).ticket.split('.');
      const parts = genuine.ticket.split('.');
      parts[0] = other[0] as string;
      return { files: files({ ticket: parts.join('.') }) };
    },
  },
  { name: "another device's id", code: 'wrong_audience', build: async () => ({ files: files({ deviceId: otherDevice.id }) }) },
  { name: "another device's key", code: 'jwe_decrypt_failed', build: async () => ({ files: files({ deviceKey: otherDevice.key }) }) },
  { name: "another tenant's root", code: 'certificate_invalid', build: async () => ({ files: files({ root: otherTenant.pki.rootCertificatePem }) }) },
  {
    name: 'an expired ticket',
    code: 'expired',
    build: async () => ({ files: files({ ticket: (await issueFor(device, tenant.signer, { now: new Date(Date.now() - 3 * 3600_000) })).ticket }) }),
  },
  {
    name: 'a ticket issued in the future',
    code: 'not_yet_valid',
    build: async () => ({ files: files({ ticket: (await issueFor(device, tenant.signer, { now: new Date(Date.now() + 3600_000) })).ticket }) }),
  },
  { name: 'a replayed jti', code: 'replayed', build: async () => ({ before: [files()], files: files() }) },
  {
    name: 'a lower seq than one already accepted',
    code: 'rolled_back',
    build: async () => {
      const newer = await issueFor(device, tenant.signer, { seq: 6 });
      return { before: [files({ ticket: newer.ticket, blob: newer.blob })], files: files() };
    },
  },
  {
    name: 'alg: none',
    code: 'jws_algorithm_not_allowed',
    build: async () => ({ files: files({ ticket: await forgeInner(({ header, payload, signature }) => `${b64uJson({ ...header, alg: 'none' })}.${payload}.${signature}`) }) }),
  },
  {
    name: 'alg: none with an empty signature',
    code: 'jws_malformed',
    build: async () => ({ files: files({ ticket: await forgeInner(({ header, payload }) => `${b64uJson({ ...header, alg: 'none' })}.${payload}.`) }) }),
  },
  {
    name: 'HS256 keyed with the root certificate',
    code: 'jws_algorithm_not_allowed',
    build: async () => ({
      files: files({
        ticket: await forgeInner(({ header, payload }) =>
          new CompactSign(Buffer.from(payload, 'base64url')).setProtectedHeader({ ...header, alg: 'HS256' }).sign(Buffer.from(tenant.pki.rootCertificatePem)),
        ),
      }),
    }),
  },
  {
    name: "a JWS signed by an attacker's own root with its x5c",
    code: 'certificate_invalid',
    build: async () => ({ files: files({ ticket: (await issueFor(device, { ...otherTenant.signer, tenantId: tenant.id })).ticket }) }),
  },
  {
    name: 'a JWS carrying its own key in a jwk header',
    code: 'jws_header_invalid',
    build: async () => ({
      files: files({
        ticket: await forgeInner(async ({ header, payload }) =>
          new CompactSign(Buffer.from(payload, 'base64url'))
            .setProtectedHeader({ ...header, alg: 'ES256', jwk: otherDevice.jwk })
            .sign(otherDevice.key),
        ),
      }),
    }),
  },
  {
    name: 'a JWS signed by the root key itself (root as x5c[0])',
    code: 'certificate_not_for_signing',
    build: async () => ({
      files: files({
        ticket: await forgeInner(({ header, payload }) =>
          new CompactSign(Buffer.from(payload, 'base64url'))
            .setProtectedHeader({ ...header, alg: 'ES256', x5c: [(header.x5c as string[])[1] as string] })
            .sign(tenant.rootKey),
        ),
      }),
    }),
  },
  {
    name: 'edited claims (runAsRoot) with the old signature',
    code: 'signature_invalid',
    build: async () => ({
      files: files({
        ticket: await forgeInner(({ header, payload, signature }) => {
          const claims = fromB64uJson(payload) as { script: { runAsRoot: boolean } };
          claims.script.runAsRoot = true;
          return `${b64uJson(header)}.${b64uJson(claims)}.${signature}`;
        }),
      }),
    }),
  },
  {
    name: 'a JWS in the flattened JSON form',
    code: 'jws_malformed',
    build: async () => ({
      files: files({
        ticket: await forgeInner(async ({ header, payload }) =>
          JSON.stringify(await new FlattenedSign(Buffer.from(payload, 'base64url')).setProtectedHeader(header as { alg: string }).sign(tenant.signer.signingKey)),
        ),
      }),
    }),
  },
  {
    name: 'a zip JWE',
    code: 'jwe_header_invalid',
    build: async () => ({ files: files({ ticket: await encryptTo(device, await innerJws(device, genuine.ticket), { zip: 'DEF' }) }) }),
  },
  {
    name: 'a JWE with another key management algorithm',
    code: 'jwe_algorithm_not_allowed',
    build: async () => {
      const parts = genuine.ticket.split('.');
      parts[0] = b64uJson({ ...fromB64uJson(parts[0] as string), alg: 'ECDH-ES' });
      return { files: files({ ticket: parts.join('.') }) };
    },
  },
  {
    name: 'a ticket signed by an expired signing certificate',
    code: 'certificate_expired',
    build: async () => {
      const now = new Date();
      const old = await issueSigningCertificate('Tamper test', tenant.pki.rootCertificatePem, tenant.rootKey, now, {
        notBefore: new Date(now.getTime() - 100 * 86_400_000),
        notAfter: new Date(now.getTime() - 10 * 86_400_000),
      });
      const signer = { tenantId: tenant.id, signingKey: createPrivateKey(old.privateKeyPem), certificateChainPem: [old.certificatePem, tenant.pki.rootCertificatePem] as [string, string] };
      return { files: files({ ticket: (await issueFor(device, signer, { now: new Date(now.getTime() - 20 * 86_400_000) })).ticket }) };
    },
  },
  {
    name: 'a ticket signed by a revoked signing certificate (CRL from the root)',
    code: 'certificate_revoked',
    build: async () => {
      const serial = new (await import('node:crypto')).X509Certificate(tenant.pki.signingCertificatePem).serialNumber;
      const crl = await createRevocationList(tenant.pki.rootCertificatePem, tenant.rootKey, 2, [{ serialNumber: serial, revokedAt: new Date(), reason: 'keyCompromise' }], new Date());
      return { files: files({ crl: crl.toString('base64') }) };
    },
  },
  {
    name: 'a replayed older CRL after a revocation (cannot un-revoke)',
    code: 'certificate_revoked',
    build: async () => {
      const serial = new (await import('node:crypto')).X509Certificate(tenant.pki.signingCertificatePem).serialNumber;
      const revoking = await createRevocationList(tenant.pki.rootCertificatePem, tenant.rootKey, 2, [{ serialNumber: serial, revokedAt: new Date(), reason: 'keyCompromise' }], new Date());
      const older = await createRevocationList(tenant.pki.rootCertificatePem, tenant.rootKey, 1, [], new Date());
      // The first attempt applies the revoking list and is itself refused; the second brings the older, empty list.
      return { before: [files({ crl: revoking.toString('base64') })], files: files({ crl: older.toString('base64') }) };
    },
  },
  {
    name: 'a CRL signed by another root',
    code: 'revocation_list_invalid',
    build: async () => ({ files: files({ crl: (await createRevocationList(otherTenant.pki.rootCertificatePem, otherTenant.rootKey, 9, [], new Date())).toString('base64') }) }),
  },
  {
    name: 'a ticket from another tenant id under the pinned root',
    code: 'wrong_issuer',
    build: async () => ({ files: files({ ticket: (await issueFor(device, { ...tenant.signer, tenantId: otherTenant.id })).ticket }) }),
  },
];

describe('tamper catalogue through open-ticket', () => {
  const outcomes = new Map<string, OpenTicketOutcome>();

  beforeAll(async () => {
    work = await makeTempDir('atwork-tamper-');
    [tenant, otherTenant] = await Promise.all([makeTenant(), makeTenant()]);
    device = makeDevice();
    otherDevice = makeDevice();
    genuine = await issueFor(device, tenant.signer);
    for (const [index, c] of CASES.entries()) {
      // Each case in its own folder and --state, so one case's accepted ticket is never another's replay.
      const dir = path.join(work, `case-${index}`);
      const state = path.join(dir, 'state');
      const built = await c.build();
      for (const [i, before] of (built.before ?? []).entries()) {
        await runOpenTicket({ ...(await writeCase(path.join(dir, `before-${i}`), before)), state }, new Date());
      }
      outcomes.set(c.name, await runOpenTicket({ ...(await writeCase(dir, built.files)), state }, new Date()));
    }
  }, 60_000);

  afterAll(async () => {
    await removeDir(work);
  });

  it('has at least 25 distinct named attacks', () => {
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
    expect(CASES.length).toBeGreaterThanOrEqual(25);
  });

  it('opens the genuine ticket to the script byte for byte', async () => {
    const outcome = await runOpenTicket(await writeCase(path.join(work, 'genuine'), files()), new Date());
    expect(outcome).toEqual({ accepted: true, script: genuine.script });
  });

  it.each(CASES.map((c) => [c.name, c.code] as const))('rejects %s with %s', (name, code) => {
    expect(outcomes.get(name)).toMatchObject({ accepted: false, code });
  });

  it('rejects an 8 MB ticket fast, reading only its first 64 KiB', async () => {
    const options = await writeCase(path.join(work, 'huge-timed'), files({ ticket: Buffer.alloc(8 * 1024 * 1024, 'A') }));
    const started = performance.now();
    expect(await runOpenTicket(options, new Date())).toMatchObject({ code: 'ticket_too_large' });
    expect(performance.now() - started).toBeLessThan(250);
  });
});

describe('the open-ticket command line', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir('atwork-open-ticket-cli-');
    [tenant, otherTenant] = await Promise.all([makeTenant(), makeTenant()]);
    device = makeDevice();
    genuine = await issueFor(device, tenant.signer);
  });
  afterAll(async () => {
    await removeDir(dir);
  });

  it('exits 3 with nothing on stdout and one stderr line starting with the reason code', async () => {
    const outcome = await openTicketCli(cliArgs(await writeCase(path.join(dir, 'flipped'), files({ blob: flipInBuffer(genuine.blob, 3) }))));
    expect(outcome.exitCode).toBe(3);
    expect(outcome.stdout.length).toBe(0);
    expect(outcome.stderr).toMatch(/^blob_hash_mismatch: [^\n]*\n$/);
  }, 30_000);
});

describe('the dev-fixture contract', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir('atwork-dev-fixture-');
  });
  afterAll(async () => {
    await removeDir(dir);
  });

  const fixtureArgs = async (out: string): Promise<string[]> => [
    '--root', path.join(out, 'tenant-root.pem'),
    '--device-key', path.join(out, 'device-key.jwk'),
    '--device-id', (await readFile(path.join(out, 'device-id'), 'utf8')).trim(),
    '--ticket', path.join(out, 'ticket'),
    '--blob', path.join(out, 'blob'),
  ];

  it('writes a ticket that opens to its --script byte for byte, once: the second open is a replay', async () => {
    const out = path.join(dir, 'fresh');
    const script = '#!/bin/bash\nprintf "%s\\n" "héllo $USER" \'; rm -rf ~; \'\n';
    const created = await runBin(SERVER_BIN, ['dev-fixture', '--out', out, '--script', script]);
    expect(created.exitCode, created.stderr).toBe(0);
    expect(await readFile(path.join(out, 'script'), 'utf8')).toBe(script);
    const args = [...(await fixtureArgs(out)), '--state', path.join(out, 'state')];
    const first = await openTicketCli(args);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout.toString('utf8')).toBe(script);
    const second = await openTicketCli(args);
    expect(second.exitCode).toBe(3);
    expect(second.stdout.length).toBe(0);
    expect(second.stderr).toMatch(/^replayed: [^\n]*\n$/);
  }, 30_000);

  it('makes an expired ticket with --ttl -3600', async () => {
    const out = path.join(dir, 'expired');
    const created = await runBin(SERVER_BIN, ['dev-fixture', '--out', out, '--ttl', '-3600']);
    expect(created.exitCode, created.stderr).toBe(0);
    const opened = await openTicketCli(await fixtureArgs(out));
    expect(opened.exitCode).toBe(3);
    expect(opened.stdout.length).toBe(0);
    expect(opened.stderr).toMatch(/^expired: [^\n]*\n$/);
  }, 30_000);
});
