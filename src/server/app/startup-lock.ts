// Serialises first-start initialisation across server replicas sharing one PostgreSQL database (DESIGN.md §9).
import { sql } from 'kysely';
import type { Db } from '../db/database';

/** Arbitrary but fixed: every Atwork replica takes the same PostgreSQL advisory lock while it initialises. */
const STARTUP_LOCK_KEY = 0x4174_776f;

/**
 * Runs `work` while holding a session advisory lock, so that two replicas starting at once on an empty database
 * do not both create a tenant, an admin token or a system default configuration.
 *
 * SQLite needs no lock: one process owns the file, and its single connection could not be held aside anyway.
 */
export async function withStartupLock<T>(db: Db, postgres: boolean, work: () => Promise<T>): Promise<T> {
  if (!postgres) return work();
  return db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(${STARTUP_LOCK_KEY})`.execute(connection);
    try {
      return await work();
    } finally {
      await sql`select pg_advisory_unlock(${STARTUP_LOCK_KEY})`.execute(connection);
    }
  });
}
