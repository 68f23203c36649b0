// The audit trail: every admin change, who made it and what it touched (DESIGN.md §9).
import { randomUUID } from 'node:crypto';
import type { Db } from './database';

export interface AuditEntry {
  actor: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
}

/** Appends one entry; callers pass a transaction so the change and its record commit together. */
export async function recordAudit(db: Db, entry: AuditEntry, now: Date): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      id: randomUUID(),
      at: now.toISOString(),
      actor: entry.actor,
      action: entry.action,
      target: entry.target,
      details: JSON.stringify(entry.details),
    })
    .execute();
}
