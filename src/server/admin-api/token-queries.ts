// Admin API tokens in the database: their table type and every query made on them; a token is kept only as its sha256.
import type { Generated } from 'kysely';
import type { Db } from '../db/database';

export interface AdminTokensTable {
  id: string;
  token_sha256: string;
  created_at: string;
  name: Generated<string>;
  /** 'admin' may change anything; 'read-only' may only read (admin-auth.ts). */
  scope: Generated<string>;
  revoked_at: Generated<string | null>;
}

/** A token as the API shows it: everything but its hash. */
export interface TokenRow {
  id: string;
  name: string;
  scope: string;
  created_at: string;
  revoked_at: string | null;
}

const TOKEN_COLUMNS = ['id', 'name', 'scope', 'created_at', 'revoked_at'] as const;

export function listTokens(db: Db): Promise<TokenRow[]> {
  return db.selectFrom('admin_tokens').select(TOKEN_COLUMNS).orderBy('created_at').execute();
}

export function tokenById(db: Db, id: string): Promise<TokenRow | undefined> {
  return db.selectFrom('admin_tokens').select(TOKEN_COLUMNS).where('id', '=', id).executeTakeFirst();
}

/** Looks a token up by the hash of what the caller sent, so there is nothing for a timing attack to compare against. */
export function tokenBySha256(db: Db, tokenSha256: string): Promise<Pick<TokenRow, 'id' | 'scope' | 'revoked_at'> | undefined> {
  return db.selectFrom('admin_tokens').select(['id', 'scope', 'revoked_at']).where('token_sha256', '=', tokenSha256).executeTakeFirst();
}

export async function insertToken(db: Db, row: TokenRow, tokenSha256: string): Promise<void> {
  await db.insertInto('admin_tokens').values({ ...row, token_sha256: tokenSha256 }).execute();
}

export async function liveAdminScopeTokenCount(db: Db): Promise<number> {
  const live = await db.selectFrom('admin_tokens').select((eb) => eb.fn.countAll().as('n')).where('scope', '=', 'admin').where('revoked_at', 'is', null).executeTakeFirstOrThrow();
  return Number(live.n);
}

export async function markTokenRevoked(db: Db, id: string, at: Date): Promise<void> {
  await db.updateTable('admin_tokens').set({ revoked_at: at.toISOString() }).where('id', '=', id).execute();
}
