// Which tickets this device already accepted and which signing certificates are revoked, so a captured ticket cannot be played back (DESIGN.md §3).
import { CLOCK_SKEW_SECONDS } from '../../shared/protocol';
import type { TicketClaims } from '../../shared/ticket';
import type { ReplayRecord, RevocationRecord } from '../core/agent-state';
import { withRevocationList } from './revocation-list';
import type { ReplayState } from './ticket-verifier';

export const EMPTY_REPLAY_RECORD: ReplayRecord = { highestSeq: 0, jtis: [] };

export function replayStateOf(record: ReplayRecord): ReplayState {
  const seen = new Set(record.jtis.map((entry) => entry.jti));
  const revoked = new Set(record.revocation?.revokedSerials ?? []);
  return { highestSeq: record.highestSeq, hasSeenJti: (jti) => seen.has(jti), isRevoked: (serial) => revoked.has(serial) };
}

/** Records an accepted ticket; ids of tickets that have expired (beyond the skew) are dropped since they can no longer pass. */
export function acceptTicket(record: ReplayRecord, claims: TicketClaims, now: Date): ReplayRecord {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  return {
    ...record,
    highestSeq: Math.max(record.highestSeq, claims.seq),
    jtis: [...record.jtis.filter((entry) => entry.exp + CLOCK_SKEW_SECONDS >= nowSeconds), { jti: claims.jti, exp: claims.exp }],
  };
}

/** Records a verified tenant CRL; an older or replayed one changes nothing (revocation-list.ts). */
export function acceptRevocationList(record: ReplayRecord, verified: RevocationRecord): ReplayRecord {
  return { ...record, revocation: withRevocationList(record.revocation, verified) };
}
