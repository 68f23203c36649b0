// The device events the agent reports about its own troubles: an entry the server refused, a state file set aside, a disk that refuses writes (issue 9), a check-in receiver that failed, a schedule stopped by a revocation (issue 10).
import { createHash } from 'node:crypto';
import type { DeviceEvent } from '../../shared/protocol';
import { outboxEntryId, type OutboxEntry } from '../core/agent-state';
import type { SetAsideFile } from '../core/ports';

export const ITEM_REJECTED = 'outbox.item_rejected';
export const FILE_SET_ASIDE = 'state.file_set_aside';
export const STATE_UNWRITABLE = 'state.write_failed';
export const RECEIVER_FAILED = 'checkin.receiver_failed';
export const SCHEDULE_SIGNER_REVOKED = 'schedule.signer_revoked';

/**
 * A uuid derived from what the event is about, so reporting the same thing twice (a crash between the report and
 * the bookkeeping after it) gives the same event id, which the server stores once.
 */
export function derivedEventId(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The report of an outbox entry the server refused for good; `reason` is what it said. */
export function itemRejectedEvent(entry: OutboxEntry, status: number | null, reason: string, at: Date): DeviceEvent {
  const id = outboxEntryId(entry);
  const what = entry.kind === 'result' ? `the result of run ${id} (${entry.result.scriptName})` : `the ${entry.event.type} event ${id}`;
  return {
    id: derivedEventId(`${ITEM_REJECTED}:${entry.kind}:${id}`),
    type: ITEM_REJECTED,
    at: at.toISOString(),
    message: `The server refused ${what} (${reason}); the agent keeps it in its rejected folder and will not send it again.`.slice(0, 2000),
    data:
      entry.kind === 'result'
        ? { kind: 'result', executionId: id, configurationId: entry.result.configurationId, status }
        : { kind: 'event', eventId: id, eventType: entry.event.type, status },
  };
}

/** Whether an entry is itself such a report: a refused report is not reported again, or one refusal could loop. */
export function isRejectionReport(entry: OutboxEntry): boolean {
  return entry.kind === 'event' && entry.event.type === ITEM_REJECTED;
}

/** The report of a state file set aside because it could not be read; names the run or entry lost where the file name says. */
export function fileSetAsideEvent(file: SetAsideFile, at: Date): DeviceEvent {
  const id = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.json$/i.exec(file.name)?.[1] ?? null;
  const entryKind = file.kind === 'outbox' ? (file.name.startsWith('event-') ? 'event' : 'result') : null;
  const lost =
    file.kind === 'journal'
      ? `the record of run ${id ?? 'unknown'} in progress, so that run will not be reported`
      : `the ${entryKind} ${id ?? 'unknown'} waiting to be sent, so it will not reach the server`;
  return {
    id: derivedEventId(`${FILE_SET_ASIDE}:${file.kind}:${file.name}`),
    type: FILE_SET_ASIDE,
    at: at.toISOString(),
    message: `The agent set aside the unreadable ${file.kind} file ${file.name} (${file.reason}) and lost ${lost}.`.slice(0, 2000),
    data: { kind: file.kind, file: file.name.slice(0, 200), executionId: entryKind === 'event' ? null : id, eventId: entryKind === 'event' ? id : null, reason: file.reason.slice(0, 500) },
  };
}

/** The report, once per episode, that the state folder refuses writes; the episode's start makes its id. */
export function stateUnwritableEvent(problem: string, code: string | null, since: Date): DeviceEvent {
  return {
    id: derivedEventId(`${STATE_UNWRITABLE}:${since.toISOString()}`),
    type: STATE_UNWRITABLE,
    at: since.toISOString(),
    message: `${problem.charAt(0).toUpperCase()}${problem.slice(1)}.`.slice(0, 2000),
    data: { code, diskFull: code === 'ENOSPC' || code === 'EDQUOT' },
  };
}

/** The report that one receiver of a check-in answer failed; the others still ran. */
export function receiverFailedEvent(receiver: string, reason: string, at: Date): DeviceEvent {
  return {
    id: derivedEventId(`${RECEIVER_FAILED}:${receiver}:${reason}:${at.toISOString()}`),
    type: RECEIVER_FAILED,
    at: at.toISOString(),
    message: `The agent could not apply the ${receiver} of a check-in answer (${reason}); the rest of the answer was applied and the next check-in tries again.`.slice(0, 2000),
    data: { receiver: receiver.slice(0, 200), reason: reason.slice(0, 2000) },
  };
}

/** The report that a kept recurring schedule stopped because the certificate that signed its ticket is revoked (issue 10). */
export function scheduleSignerRevokedEvent(configurationId: string, version: number, signerSerial: string, at: Date): DeviceEvent {
  return {
    id: derivedEventId(`${SCHEDULE_SIGNER_REVOKED}:${configurationId}:${version}:${signerSerial}`),
    type: SCHEDULE_SIGNER_REVOKED,
    at: at.toISOString(),
    message: `The agent stopped the recurring schedule of configuration ${configurationId} v${version}: the certificate that signed it (serial ${signerSerial}) is revoked. A ticket signed by a valid certificate starts it again.`.slice(0, 2000),
    data: { configurationId, version, signerSerial },
  };
}
