// `atwork-agent open-ticket`: runs exactly the agent's ticket and blob checks on files; the contract tamper tests drive (issue 4).
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { MAX_TICKET_BYTES } from '../../shared/ticket';
import { ReplayRecordSchema, type ReplayRecord } from '../core/agent-state';
import { writeFileAtomic } from '../state/atomic-file';
import { ensurePrivateDir } from '../state/file-state-store';
import { acceptRevocationList, acceptTicket, EMPTY_REPLAY_RECORD, replayStateOf } from '../trust/replay-record';
import { MAX_REVOCATION_LIST_BYTES, RevocationListRejectedError, verifyRevocationList } from '../trust/revocation-list';
import { openScriptBlob, openTicket, tenantIdOfRoot, TicketRejectedError } from '../trust/ticket-verifier';

/** Exit status of a refused ticket or blob; stdout stays empty and stderr holds one line starting with the reason code. */
export const REJECTED_EXIT_CODE = 3;
const REPLAY_FILE = 'replay.json';
const MAX_SMALL_FILE_BYTES = 64 * 1024;

const PrivateJwkSchema = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  y: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  d: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});

export interface OpenTicketOptions {
  root: string;
  deviceKey: string;
  deviceId: string;
  ticket: string;
  blob: string;
  state?: string;
  crl?: string;
}

/** A refusal with its reason code, as the contract prints it. */
class Refusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Reads at most `limit` + 1 bytes, so an oversized file is known to be too big without reading all of it. */
async function readCapped(file: string, limit: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(limit + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) break;
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

async function readSmallText(file: string, what: string): Promise<string> {
  const data = await readCapped(file, MAX_SMALL_FILE_BYTES);
  if (data.length > MAX_SMALL_FILE_BYTES) throw new Error(`the ${what} file ${file} is larger than a ${what} can be`);
  return data.toString('utf8');
}

async function readDeviceKey(file: string): Promise<KeyObject> {
  let jwk: z.infer<typeof PrivateJwkSchema>;
  try {
    jwk = PrivateJwkSchema.parse(JSON.parse(await readSmallText(file, 'device key')));
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('the device key file')) throw error;
    throw new Error(`the device key file ${file} is not a P-256 private JWK`);
  }
  return createPrivateKey({ key: jwk, format: 'jwk' });
}

async function readReplayRecord(stateDir: string | undefined): Promise<ReplayRecord> {
  if (stateDir === undefined) return EMPTY_REPLAY_RECORD;
  let text: string;
  try {
    text = await readFile(join(stateDir, REPLAY_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY_REPLAY_RECORD;
    throw error;
  }
  const parsed = ReplayRecordSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`the replay record in ${stateDir} is damaged; remove ${REPLAY_FILE} only if you accept replays of old tickets`);
  return parsed.data;
}

async function writeReplayRecord(stateDir: string | undefined, record: ReplayRecord): Promise<void> {
  if (stateDir === undefined) return;
  await ensurePrivateDir(stateDir);
  await writeFileAtomic(join(stateDir, REPLAY_FILE), JSON.stringify(record), 0o600);
}

/**
 * Opens a ticket and its blob from files with the agent's own checks and returns the script's bytes.
 *
 * With a state folder, a verified CRL and the accepted ticket are remembered there; the ticket only once the blob has
 * passed too, so a ticket whose blob was refused can be retried with the right blob.
 */
async function openTicketFiles(options: OpenTicketOptions, now: Date): Promise<Buffer> {
  const rootCertificatePem = await readSmallText(options.root, 'root certificate');
  const tenantId = tenantIdOfRoot(rootCertificatePem);
  if (tenantId === null) throw new Error(`the root certificate ${options.root} names no Atwork tenant`);
  const deviceKey = await readDeviceKey(options.deviceKey);
  let record = await readReplayRecord(options.state);

  if (options.crl !== undefined) {
    const crl = Buffer.from((await readSmallText(options.crl, 'revocation list')).trim(), 'base64');
    try {
      record = acceptRevocationList(record, await verifyRevocationList(crl.subarray(0, MAX_REVOCATION_LIST_BYTES + 1), rootCertificatePem, now));
    } catch (error) {
      if (error instanceof RevocationListRejectedError) throw new Refusal('revocation_list_invalid', error.message);
      throw error;
    }
    await writeReplayRecord(options.state, record);
  }

  const ticket = await readCapped(options.ticket, MAX_TICKET_BYTES);
  const trust = { rootCertificatePem, tenantId, deviceId: options.deviceId, deviceKey };
  // A file may end with a newline an editor added; the ticket itself never contains whitespace.
  const claims = await openTicket(ticket.toString('latin1').replace(/\r?\n$/, ''), trust, replayStateOf(record), now);
  const script = openScriptBlob(await readCapped(options.blob, claims.blob.size), claims);
  await writeReplayRecord(options.state, acceptTicket(record, claims, now));
  return script;
}

export type OpenTicketOutcome = { accepted: true; script: Buffer } | { accepted: false; code: string; message: string };

/** What `open-ticket` does, without the process around it: the script, or the reason code and message of the refusal. */
export async function runOpenTicket(options: OpenTicketOptions, now: Date): Promise<OpenTicketOutcome> {
  try {
    return { accepted: true, script: await openTicketFiles(options, now) };
  } catch (error) {
    if (!(error instanceof TicketRejectedError) && !(error instanceof Refusal)) throw error;
    return { accepted: false, code: error.code, message: error.message };
  }
}

/** Registers `open-ticket` on the agent's command line. */
export function registerOpenTicketCommand(program: Command): void {
  program
    .command('open-ticket')
    .description('Check a ticket and its blob exactly as the agent does; print the script on success, exit 3 with the reason code otherwise.')
    .requiredOption('--root <pem>', 'tenant root certificate (PEM) the device pinned')
    .requiredOption('--device-key <jwk>', "the device's private key as a JWK file")
    .requiredOption('--device-id <id>', 'the device id the ticket must be addressed to')
    .requiredOption('--ticket <file>', 'the compact JWE ticket')
    .requiredOption('--blob <file>', 'the encrypted script blob')
    .option('--state <dir>', 'remember accepted tickets (and verified CRLs) here, so a replay is refused')
    .option('--crl <file>', 'the tenant revocation list (base64 DER), verified against the root before the ticket')
    .action(async (opts: OpenTicketOptions) => {
      const outcome = await runOpenTicket({ ...opts, state: opts.state === undefined ? undefined : resolve(opts.state) }, new Date());
      if (outcome.accepted) {
        process.stdout.write(outcome.script);
      } else {
        process.stderr.write(`${outcome.code}: ${outcome.message}\n`);
        process.exitCode = REJECTED_EXIT_CODE;
      }
    });
}
