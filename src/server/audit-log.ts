// The audit trail: every admin change (who, what, when, before/after) and every script result a device reports (DESIGN.md §9).
import { randomUUID } from 'node:crypto';
import type { Db } from './database';

export interface AuditEntry {
  actor: string;
  action: string;
  target: string;
  details?: Record<string, unknown>;
  /** The changed thing before and after; secrets (PINs, tokens, variable values) never go in. */
  before?: unknown;
  after?: unknown;
}

/** Appends entries; callers pass a transaction so the change and its record commit together. */
export async function recordAudit(db: Db, entry: AuditEntry | AuditEntry[], now: Date): Promise<void> {
  const entries = Array.isArray(entry) ? entry : [entry];
  if (entries.length === 0) return;
  await db
    .insertInto('audit_log')
    .values(
      entries.map((e) => ({
        id: randomUUID(),
        at: now.toISOString(),
        actor: e.actor,
        action: e.action,
        target: e.target,
        details: JSON.stringify({ ...e.details, ...(e.before === undefined ? {} : { before: e.before }), ...(e.after === undefined ? {} : { after: e.after }) }),
      })),
    )
    .execute();
}
