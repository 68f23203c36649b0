// Which tickets this device already accepted, so a captured ticket cannot be played back (DESIGN.md §3).
import { CLOCK_SKEW_SECONDS } from '../shared/protocol';
import type { TicketClaims } from '../shared/ticket';
import type { ReplayRecord } from './agent-state';
import type { ReplayState } from './ticket-verifier';

export function replayStateOf(record: ReplayRecord): ReplayState {
  const seen = new Set(record.jtis.map((entry) => entry.jti));
  return { highestSeq: record.highestSeq, hasSeenJti: (jti) => seen.has(jti) };
}

/** Records an accepted ticket; ids of tickets that have expired (beyond the skew) are dropped since they can no longer pass. */
export function acceptTicket(record: ReplayRecord, claims: TicketClaims, now: Date): ReplayRecord {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  return {
    highestSeq: Math.max(record.highestSeq, claims.seq),
    jtis: [...record.jtis.filter((entry) => entry.exp + CLOCK_SKEW_SECONDS >= nowSeconds), { jti: claims.jti, exp: claims.exp }],
  };
}
