// Randomized tamper sweep (issue 4): 10,000 mutations of genuine tickets and blobs; none may be accepted and none may crash the verifier.
import { describe, expect, it } from 'vitest';
import { openScriptBlob, openTicket, TicketRejectedError, type ReplayState, type TicketTrust } from '../../src/agent/trust/ticket-verifier';
import type { TicketClaims } from '../../src/shared/ticket';
import { b64uJson, encryptTo, flipInBuffer, fromB64uJson, innerJws, issueFor, makeDevice, makeTenant, type Device, type Issued } from './tamper-kit';

const MUTATIONS = 10_000;
/** Generous for a loaded 2-core CI machine; the sweep takes a few seconds on an idle one. */
const TIME_BUDGET_MS = 90_000;
const BASE64URL_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
const freshReplay = (): ReplayState => ({ highestSeq: 0, hasSeenJti: () => false, isRevoked: () => false });

/** mulberry32: a small seeded generator, so a failing run can be repeated with TAMPER_SEED. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Attempt = { ticket: string; blob: Buffer };

describe('tamper sweep', () => {
  it(`accepts none of ${MUTATIONS} mutated tickets and blobs`, async () => {
    const seed = Number(process.env.TAMPER_SEED ?? Math.floor(Math.random() * 2 ** 32));
    const random = seededRandom(seed);
    const int = (n: number) => Math.floor(random() * n);
    const pick = <T,>(items: readonly T[]): T => items[int(items.length)] as T;

    const tenant = await makeTenant();
    const device: Device = makeDevice();
    const trust: TicketTrust = { rootCertificatePem: tenant.pki.rootCertificatePem, tenantId: tenant.id, deviceId: device.id, deviceKey: device.key };
    const genuine: Issued[] = await Promise.all([1, 2, 3, 4].map((seq) => issueFor(device, tenant.signer, { seq })));
    const inner = await Promise.all(genuine.map((g) => innerJws(device, g.ticket)));

    // The controls: every genuine ticket and blob opens, so a rejection below is caused by its mutation alone.
    for (const g of genuine) expect(openScriptBlob(g.blob, await openTicket(g.ticket, trust, freshReplay(), new Date())).equals(g.script)).toBe(true);

    const flipSegment = (token: string): string => {
      const parts = token.split('.');
      const index = int(parts.length);
      const bytes = Buffer.from(parts[index] as string, 'base64url');
      if (bytes.length === 0) return `${token}A`;
      parts[index] = flipInBuffer(bytes, int(bytes.length), 1 << int(8)).toString('base64url');
      return parts.join('.');
    };
    const substituteChar = (token: string): string => {
      const at = int(token.length);
      const replacement = pick([...BASE64URL_CHARS].filter((c) => c !== token[at]));
      return token.slice(0, at) + replacement + token.slice(at + 1);
    };
    const truncate = (token: string): string => token.slice(0, int(token.length));
    const extend = (token: string): string => token + Array.from({ length: 1 + int(16) }, () => pick([...BASE64URL_CHARS])).join('');
    const swapSegment = (token: string): string => {
      const parts = token.split('.');
      const other = pick(genuine.filter((g) => g.ticket !== token)).ticket.split('.');
      const index = int(parts.length);
      parts[index] = other[index] as string;
      return parts.join('.');
    };
    const editClaims = (jws: string): string => {
      const [h, p, s] = jws.split('.') as [string, string, string];
      const claims = fromB64uJson(p) as unknown as TicketClaims;
      const edits: ((c: TicketClaims) => void)[] = [
        (c) => (c.script.runAsRoot = !c.script.runAsRoot),
        (c) => (c.seq += 1 + int(100)),
        (c) => (c.exp += 1 + int(86_400)),
        (c) => (c.aud = makeDevice().id),
        (c) => (c.blob.sha256 = pick(genuine.filter((o) => o.sealed.sha256 !== c.blob.sha256)).sealed.sha256),
        (c) => (c.variables = { INJECTED: '$(id)' }),
        (c) => (c.script.interpreter = 'python'),
      ];
      pick(edits)(claims);
      const edited = b64uJson(claims);
      // A mutation that changed nothing would be a genuine ticket; the sweep must only ever try real changes.
      if (edited === p) throw new Error('a claims edit left the claims unchanged');
      return `${h}.${edited}.${s}`;
    };

    const mutators: [string, number, (g: Issued, jws: string) => Promise<Attempt> | Attempt][] = [
      ['outer byte flip', 3000, (g) => ({ ticket: flipSegment(g.ticket), blob: g.blob })],
      ['outer character substitution', 1000, (g) => ({ ticket: substituteChar(g.ticket), blob: g.blob })],
      ['outer truncation', 500, (g) => ({ ticket: truncate(g.ticket), blob: g.blob })],
      ['outer extension', 500, (g) => ({ ticket: extend(g.ticket), blob: g.blob })],
      ['segment from another ticket', 500, (g) => ({ ticket: swapSegment(g.ticket), blob: g.blob })],
      ['inner byte flip, re-encrypted', 1200, async (g, jws) => ({ ticket: await encryptTo(device, flipSegment(jws)), blob: g.blob })],
      ['inner truncation or extension, re-encrypted', 300, async (g, jws) => ({ ticket: await encryptTo(device, random() < 0.5 ? truncate(jws) : extend(jws)), blob: g.blob })],
      ['claims edited under the old signature, re-encrypted', 500, async (g, jws) => ({ ticket: await encryptTo(device, editClaims(jws)), blob: g.blob })],
      ['blob byte flip', 1500, (g) => ({ ticket: g.ticket, blob: flipInBuffer(g.blob, int(g.blob.length), 1 << int(8)) })],
      ['blob truncation or extension', 500, (g) => ({ ticket: g.ticket, blob: random() < 0.5 ? g.blob.subarray(0, int(g.blob.length)) : Buffer.concat([g.blob, Buffer.alloc(1 + int(64), int(256))]) })],
      ['blob of another ticket', 500, (g) => ({ ticket: g.ticket, blob: pick(genuine.filter((o) => o !== g)).blob })],
    ];
    expect(mutators.reduce((sum, [, count]) => sum + count, 0)).toBe(MUTATIONS);

    const codes = new Map<string, number>();
    const accepted: string[] = [];
    const started = performance.now();
    for (const [kind, count, mutate] of mutators) {
      for (let i = 0; i < count; i++) {
        const index = int(genuine.length);
        const attempt = await mutate(genuine[index] as Issued, inner[index] as string);
        try {
          const claims = await openTicket(attempt.ticket, trust, freshReplay(), new Date());
          openScriptBlob(attempt.blob, claims);
          accepted.push(`${kind}: ${attempt.ticket.slice(0, 80)}…`);
        } catch (error) {
          // Anything but a reasoned rejection (a TypeError from a parser, say) is a crash and fails the test here.
          if (!(error instanceof TicketRejectedError)) throw new Error(`seed ${seed}, ${kind}: ${String(error)}`);
          codes.set(error.code, (codes.get(error.code) ?? 0) + 1);
        }
      }
    }
    const elapsedMs = performance.now() - started;
    console.info(`tamper sweep: ${MUTATIONS} mutations in ${Math.round(elapsedMs)} ms (seed ${seed}), rejections by code: ${JSON.stringify(Object.fromEntries([...codes].sort()))}`);
    expect(accepted, `seed ${seed}`).toEqual([]);
    expect([...codes.values()].reduce((a, b) => a + b, 0)).toBe(MUTATIONS);
    expect(elapsedMs).toBeLessThan(TIME_BUDGET_MS);
  }, TIME_BUDGET_MS + 30_000);
});
