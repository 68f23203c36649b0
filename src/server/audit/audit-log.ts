// The audit trail (DESIGN.md §9): its table, every admin change and device result recorded with what changed, and the queries that list it.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { escapeLike } from '../admin-api/admin-route';
import type { Db } from '../db/database';
import { paginate } from '../db/paginate';

export interface AuditLogTable {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string;
  details: string;
}

export interface AuditEntry {
  at: Date;
  actor: string;
  action: string;
  target: string;
  details?: Record<string, unknown>;
  /** The changed thing before and after; secrets (PINs, tokens, variable values) never go in. */
  before?: unknown;
  after?: unknown;
}

/** Appends entries; a change records them with auditedChange, so the change and its record commit together. */
export async function recordAudit(db: Db, entry: AuditEntry | AuditEntry[]): Promise<void> {
  const entries = [entry].flat();
  if (entries.length === 0) return;
  await db
    .insertInto('audit_log')
    .values(
      entries.map((e) => ({
        id: randomUUID(),
        at: e.at.toISOString(),
        actor: e.actor,
        action: e.action,
        target: e.target,
        details: JSON.stringify({ ...e.details, ...(e.before === undefined ? {} : { before: e.before }), ...(e.after === undefined ? {} : { after: e.after }) }),
      })),
    )
    .execute();
}

/**
 * Runs `change` and records its audit entry in one transaction, so neither commits without the other. `audit` is the
 * entry, or builds it from what the change returns (what only the change knows: a new PIN's id, the results it stored).
 */
export async function auditedChange<T>(db: Db, audit: AuditEntry | ((result: NoInfer<T>) => AuditEntry | AuditEntry[]), change: (trx: Db) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const result = await change(trx);
    await recordAudit(trx, typeof audit === 'function' ? audit(result) : audit);
    return result;
  });
}

export interface AuditFilter {
  actor?: string;
  action?: string;
  /** A prefix such as `script.` or `script_result.` */
  actionPrefix?: string;
  target?: string;
  /** ISO instants; `until` is exclusive. */
  since?: string;
  until?: string;
}

/** Entries newest first, each with the before and after it recorded taken out of its details. */
export async function listAuditEntries(db: Db, filter: AuditFilter, page: { limit: number; offset: number }) {
  let base = db.selectFrom('audit_log');
  if (filter.actor !== undefined) base = base.where('actor', '=', filter.actor);
  if (filter.action !== undefined) base = base.where('action', '=', filter.action);
  if (filter.actionPrefix !== undefined) base = base.where(sql<boolean>`${sql.ref('action')} like ${`${escapeLike(filter.actionPrefix)}%`} escape '\\'`);
  if (filter.target !== undefined) base = base.where('target', '=', filter.target);
  if (filter.since !== undefined) base = base.where('at', '>=', new Date(filter.since).toISOString());
  if (filter.until !== undefined) base = base.where('at', '<', new Date(filter.until).toISOString());
  const { rows, page: answered } = await paginate(base.selectAll().orderBy('at', 'desc').orderBy('id'), page);
  const entries = rows.map((r) => {
    const { before, after, ...details } = JSON.parse(r.details) as Record<string, unknown>;
    return { id: r.id, at: r.at, actor: r.actor, action: r.action, target: r.target, before: before ?? null, after: after ?? null, details };
  });
  return { entries, page: answered };
}
