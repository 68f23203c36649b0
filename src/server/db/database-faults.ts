// What a database error means for the client: the database is unreachable, out of space, read-only or busy, or a row
// the change refers to went away meanwhile — or none of these.
import { HttpError } from '../app/http-errors';

export type DatabaseFaultKind = 'unavailable' | 'full' | 'read_only' | 'busy' | 'changed_meanwhile';

export interface DatabaseFault {
  kind: DatabaseFaultKind;
  /** The driver's own words, for the server log. */
  detail: string;
}

/** Node socket errors of a lost or refused database connection. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** What node-postgres says when a connection ends or cannot be had; these errors carry no SQLSTATE. */
const PG_CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Cannot use a pool after calling end on the pool',
  'Client was closed and is not queryable',
];

/** PostgreSQL SQLSTATEs (appendix A of its manual) that are about the database, not the request. */
function postgresFault(code: string): DatabaseFaultKind | null {
  if (code.startsWith('08')) return 'unavailable'; // connection exception
  if (code === '57P01' || code === '57P02' || code === '57P03') return 'unavailable'; // admin / crash shutdown, cannot connect now
  if (code === '53300' || code === '53200') return 'unavailable'; // too many connections, out of memory
  if (code === '53100') return 'full'; // disk full
  if (code === '25006') return 'read_only'; // read-only transaction: a hot standby after failover
  if (code === '40001' || code === '40P01' || code === '55P03') return 'busy'; // serialization failure, deadlock, lock not available
  // A foreign key that no longer holds: checked before the write, the row it names was deleted by another request since.
  if (code === '23503') return 'changed_meanwhile';
  return null;
}

/** better-sqlite3 error codes (SQLite's extended result codes) that are about the file, not the request. */
function sqliteFault(code: string): DatabaseFaultKind | null {
  if (code === 'SQLITE_FULL') return 'full';
  if (code.startsWith('SQLITE_READONLY')) return 'read_only';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN')) return 'unavailable';
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'changed_meanwhile';
  return null;
}

/** The fault behind a database error, or null when the error is not about the database's availability. */
export function classifyDatabaseError(error: unknown): DatabaseFault | null {
  if (!(error instanceof Error)) return null;
  const code = (error as { code?: unknown }).code;
  const detail = typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  if (typeof code === 'string') {
    const kind = code.startsWith('SQLITE_') ? sqliteFault(code) : NETWORK_CODES.has(code) ? 'unavailable' : /^[0-9A-Z]{5}$/.test(code) ? postgresFault(code) : null;
    if (kind !== null) return { kind, detail };
  }
  if (PG_CONNECTION_MESSAGES.some((m) => error.message.includes(m))) return { kind: 'unavailable', detail };
  return null;
}

/** Seconds a client should wait before trying again, as sent in Retry-After. */
export const DEFAULT_RETRY_AFTER_SECONDS = 2;

/** The answer a client gets for a fault: what happened in one sentence, and when to try again. */
export function faultHttpError(fault: DatabaseFault, retryAfterSeconds = DEFAULT_RETRY_AFTER_SECONDS): HttpError {
  const retry = (seconds: number) => ({ 'retry-after': String(seconds) });
  switch (fault.kind) {
    case 'full':
      return new HttpError(507, 'insufficient_storage', 'The server has no disk space left to store this change; an administrator must free space on its database volume.');
    case 'read_only':
      return new HttpError(503, 'database_read_only', 'The server’s database is read-only right now, so nothing can be changed; try again later.', retry(retryAfterSeconds * 5));
    case 'busy':
      return new HttpError(503, 'database_busy', 'The server’s database is busy; try again in a moment.', retry(1));
    case 'unavailable':
      return new HttpError(503, 'database_unavailable', 'The server cannot reach its database right now; try again shortly.', retry(retryAfterSeconds));
    case 'changed_meanwhile':
      return new HttpError(409, 'conflict', 'Something this change refers to was removed by another change at the same time; reload and try again.');
  }
}
