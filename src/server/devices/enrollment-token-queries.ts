// Enrollment tokens in the database (issue 12): their table type and every query made on them; a token is kept only as its sha256.
import type { Db } from '../db/database';

export interface EnrollmentTokensTable {
  id: string;
  tenant_id: string;
  name: string;
  /** The user every device enrolled with the token belongs to; null enrolls devices without a user (0015). */
  user_id: string | null;
  /** sha256 hex of the token. */
  token_hash: string;
  expires_at: string;
  revoked_at: string | null;
  created_at: string;
}

export type EnrollmentTokenState = 'live' | 'expired' | 'revoked';

/** A token as the admin API shows it: everything but its hash, with its user's name and how many devices it enrolled. */
export interface EnrollmentTokenRow {
  id: string;
  name: string;
  user_id: string | null;
  username: string | null;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  enrollments: number;
}

export function enrollmentTokenState(row: Pick<EnrollmentTokenRow, 'expires_at' | 'revoked_at'>, now: Date): EnrollmentTokenState {
  if (row.revoked_at !== null) return 'revoked';
  return row.expires_at <= now.toISOString() ? 'expired' : 'live';
}

function tokensWithUsers(db: Db, tenantId: string) {
  return db
    .selectFrom('enrollment_tokens as t')
    .leftJoin('users as u', 'u.id', 't.user_id')
    .where('t.tenant_id', '=', tenantId)
    .select((eb) => [
      't.id',
      't.name',
      't.user_id',
      'u.username',
      't.created_at',
      't.expires_at',
      't.revoked_at',
      eb.selectFrom('devices as d').select((d) => d.fn.countAll().as('n')).whereRef('d.enrollment_token_id', '=', 't.id').as('enrollments'),
    ]);
}

// PostgreSQL answers count(*) as a bigint string, SQLite as a number.
const withCount = <R extends { enrollments: unknown }>(row: R): Omit<R, 'enrollments'> & { enrollments: number } => ({ ...row, enrollments: Number(row.enrollments) });

/** The tenant's tokens, newest first. */
export async function listEnrollmentTokens(db: Db, tenantId: string): Promise<EnrollmentTokenRow[]> {
  const rows = await tokensWithUsers(db, tenantId).orderBy('t.created_at', 'desc').orderBy('t.id').execute();
  return rows.map(withCount);
}

export async function enrollmentTokenById(db: Db, tenantId: string, id: string): Promise<EnrollmentTokenRow | undefined> {
  const row = await tokensWithUsers(db, tenantId).where('t.id', '=', id).executeTakeFirst();
  return row && withCount(row);
}

/** The devices enrolled with a token, in the order they enrolled. */
export function devicesEnrolledWith(db: Db, tokenId: string): Promise<{ id: string; name: string; enrolledAt: string }[]> {
  return db.selectFrom('devices').select(['id', 'name', 'enrolled_at as enrolledAt']).where('enrollment_token_id', '=', tokenId).orderBy('enrolled_at').orderBy('id').execute();
}

export async function insertEnrollmentToken(db: Db, row: EnrollmentTokensTable): Promise<void> {
  await db.insertInto('enrollment_tokens').values(row).execute();
}

/** Revokes a token that is not revoked yet; false when there is none such. */
export async function revokeEnrollmentToken(db: Db, tenantId: string, id: string, at: Date): Promise<boolean> {
  const updated = await db
    .updateTable('enrollment_tokens')
    .set({ revoked_at: at.toISOString() })
    .where('id', '=', id)
    .where('tenant_id', '=', tenantId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return updated.numUpdatedRows === 1n;
}

/**
 * The live token of the tenant with this sha256, claimed for the caller's transaction; undefined for an unknown,
 * revoked or expired one alike.
 *
 * It is an UPDATE that changes nothing rather than a SELECT so that it takes the row's lock: a revocation running at
 * the same time waits for this enrollment to commit, or this one waits for it and then finds the token revoked. Once
 * a revocation has answered, no device can enroll with the token any more.
 */
export async function claimLiveEnrollmentToken(db: Db, tenantId: string, tokenHash: string, now: Date): Promise<{ id: string; userId: string | null } | undefined> {
  const row = await db
    .updateTable('enrollment_tokens')
    .set({ revoked_at: null })
    .where('token_hash', '=', tokenHash)
    .where('tenant_id', '=', tenantId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .returning(['id', 'user_id'])
    .executeTakeFirst();
  return row && { id: row.id, userId: row.user_id };
}

/** Whether the user has a token that still enrolls devices. */
export async function userHasLiveEnrollmentToken(db: Db, userId: string, now: Date): Promise<boolean> {
  const live = await db.selectFrom('enrollment_tokens').select('id').where('user_id', '=', userId).where('revoked_at', 'is', null).where('expires_at', '>', now.toISOString()).executeTakeFirst();
  return live !== undefined;
}

/** Deletes a user's tokens; the caller has checked none is live and the user has no devices (so none references them). */
export async function deleteUserEnrollmentTokens(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('enrollment_tokens').where('user_id', '=', userId).execute();
}
