// Test kit of the tamper tests: a real tenant PKI and device, genuine tickets from the server's issuer, forgeries, and the open-ticket CLI.
import { spawn } from 'node:child_process';
import { createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CompactEncrypt, compactDecrypt } from 'jose';
import type { OpenTicketOptions } from '../../src/agent/cli/cli-open-ticket';
import { sealBlob, type SealedBlob } from '../../src/shared/node/blob-cipher';
import { generateP256PrivateKey } from '../../src/shared/node/p256-key';
import { DevicePublicJwkSchema, type DevicePublicJwk } from '../../src/shared/protocol';
import { createTenantPki, type TenantPkiMaterial, type TenantSigner } from '../../src/server/pki/tenant-pki';
import { issueTicket, type TicketInput } from '../../src/server/device-api/ticket-issuer';

export const AGENT_BIN = path.resolve(import.meta.dirname, '../../bin/atwork-agent.js');
export const SERVER_BIN = path.resolve(import.meta.dirname, '../../bin/atwork-server.js');

export interface Device {
  id: string;
  key: KeyObject;
  jwk: DevicePublicJwk;
}

export function makeDevice(): Device {
  const privateKey = generateP256PrivateKey();
  return { id: randomUUID(), key: privateKey, jwk: DevicePublicJwkSchema.parse(createPublicKey(privateKey).export({ format: 'jwk' })) };
}

export interface Tenant {
  id: string;
  pki: TenantPkiMaterial;
  signer: TenantSigner;
  rootKey: KeyObject;
}

export async function makeTenant(): Promise<Tenant> {
  const id = randomUUID();
  const pki = await createTenantPki(id, 'Tamper test');
  return {
    id,
    pki,
    rootKey: createPrivateKey(pki.rootPrivateKeyPem),
    signer: { tenantId: id, signingKey: createPrivateKey(pki.signingPrivateKeyPem), certificateChainPem: [pki.signingCertificatePem, pki.rootCertificatePem] },
  };
}

export interface Issued {
  ticket: string;
  blob: Buffer;
  script: Buffer;
  sealed: SealedBlob;
}

/** A genuine ticket for `device`, exactly as check-in issues it. */
export async function issueFor(
  device: Device,
  signer: TenantSigner,
  options: { seq?: number; script?: string; now?: Date; ttlSeconds?: number; input?: Partial<TicketInput> } = {},
): Promise<Issued> {
  const script = Buffer.from(options.script ?? '#!/bin/bash\necho "tamper test"\n');
  const sealed = sealBlob(script);
  const ticket = await issueTicket(
    {
      deviceId: device.id,
      devicePublicJwk: device.jwk,
      seq: options.seq ?? 5,
      configurationId: randomUUID(),
      configurationVersion: 1,
      script: { id: randomUUID(), version: 1, name: 'tamper test', interpreter: 'bash', runAsRoot: false },
      blob: { path: `/api/device/v1/blobs/${randomUUID()}`, sha256: sealed.sha256, size: sealed.blob.length, key: sealed.key },
      limits: { maxRunTimeSeconds: 60, maxResponseSizeKb: 1 },
      schedule: { kind: 'once' },
      variables: {},
      ...options.input,
    },
    signer,
    { now: options.now ?? new Date(), ttlSeconds: options.ttlSeconds ?? 3600 },
  );
  return { ticket, blob: sealed.blob, script, sealed };
}

export const b64uJson = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
export const fromB64uJson = (segment: string): Record<string, unknown> => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));

/** Encrypts `jws` to the device as the server would: what an attacker who knows the device's public key can do. */
export function encryptTo(device: Device, jws: string, header: Record<string, unknown> = {}): Promise<string> {
  return new CompactEncrypt(Buffer.from(jws))
    .setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', cty: 'atwork-ticket+jwt', ...header })
    .encrypt(createPublicKey({ key: { ...device.jwk }, format: 'jwk' }));
}

/** The inner JWS of a genuine ticket (the test holds the device key). */
export async function innerJws(device: Device, ticket: string): Promise<string> {
  const { plaintext } = await compactDecrypt(ticket, device.key);
  return Buffer.from(plaintext).toString('utf8');
}

/** Flips one bit of byte `index` (modulo its length) of a decoded base64url segment and re-encodes it canonically. */
export function flipInSegment(token: string, segment: number, index: number, bit = 1): string {
  const parts = token.split('.');
  const bytes = Buffer.from(parts[segment] as string, 'base64url');
  const at = index % bytes.length;
  bytes[at] = (bytes[at] as number) ^ bit;
  parts[segment] = bytes.toString('base64url');
  return parts.join('.');
}

export function flipInBuffer(data: Buffer, index: number, bit = 1): Buffer {
  const copy = Buffer.from(data);
  const at = index % copy.length;
  copy[at] = (copy[at] as number) ^ bit;
  return copy;
}

export async function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export interface CaseFiles {
  root: string;
  deviceKey: KeyObject;
  deviceId: string;
  ticket: string | Buffer;
  blob: Buffer;
  crl?: string;
}

/** Writes one case's files the way the dev-fixture command names them; returns the open-ticket options for them. */
export async function writeCase(dir: string, files: CaseFiles): Promise<OpenTicketOptions> {
  await mkdir(dir, { recursive: true });
  const file = (name: string) => path.join(dir, name);
  await writeFile(file('tenant-root.pem'), files.root);
  await writeFile(file('device-key.jwk'), JSON.stringify(files.deviceKey.export({ format: 'jwk' })), { mode: 0o600 });
  await writeFile(file('ticket'), files.ticket);
  await writeFile(file('blob'), files.blob);
  const options: OpenTicketOptions = { root: file('tenant-root.pem'), deviceKey: file('device-key.jwk'), deviceId: files.deviceId, ticket: file('ticket'), blob: file('blob') };
  if (files.crl !== undefined) {
    await writeFile(file('crl'), files.crl);
    options.crl = file('crl');
  }
  return options;
}

/** The command-line arguments of the same options. */
export function cliArgs(options: OpenTicketOptions): string[] {
  const args = ['--root', options.root, '--device-key', options.deviceKey, '--device-id', options.deviceId, '--ticket', options.ticket, '--blob', options.blob];
  if (options.crl !== undefined) args.push('--crl', options.crl);
  if (options.state !== undefined) args.push('--state', options.state);
  return args;
}

export interface CliOutcome {
  exitCode: number | null;
  stdout: Buffer;
  stderr: string;
  ms: number;
}

/** Runs a bin script with a deadline; the child is killed if it outlives it. */
export function runBin(bin: string, args: string[], timeoutMs = 30_000): Promise<CliOutcome> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString('utf8'), ms: performance.now() - started });
    });
  });
}

export const openTicketCli = (args: string[]): Promise<CliOutcome> => runBin(AGENT_BIN, ['open-ticket', ...args]);
