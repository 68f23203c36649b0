// Single-use registration PINs for enrollment: 8 random digits, stored only as a salted scrypt hash, expiring.
import { randomBytes, randomInt, randomUUID, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Generated } from 'kysely';
import type { Db } from '../db/database';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;
const HASH_BYTES = 32;
export const DEFAULT_PIN_TTL_SECONDS = 7 * 24 * 3600;
/** Wrong PINs tried for a user before all of that user's PINs stop working: 8 digits must not be guessable online. */
const MAX_FAILED_PIN_ATTEMPTS = 5;

export interface RegistrationPinsTable {
  id: string;
  user_id: string;
  pin_hash: string;
  pin_salt: string;
  expires_at: string;
  used_at: string | null;
  failed_attempts: Generated<number>;
  created_at: string;
}

async function hashPin(pin: string, salt: Buffer): Promise<Buffer> {
  return scryptAsync(pin, salt, HASH_BYTES);
}

/** Creates a PIN for a user; the plain PIN is returned once and never stored. */
export async function createRegistrationPin(
  db: Db,
  userId: string,
  ttlSeconds: number,
  now: Date,
): Promise<{ id: string; pin: string; expiresAt: string }> {
  const pin = randomInt(0, 100_000_000).toString().padStart(8, '0');
  const salt = randomBytes(16);
  const id = randomUUID();
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000).toISOString();
  await db
    .insertInto('registration_pins')
    .values({
      id,
      user_id: userId,
      pin_hash: (await hashPin(pin, salt)).toString('hex'),
      pin_salt: salt.toString('hex'),
      expires_at: expiresAt,
      used_at: null,
      created_at: now.toISOString(),
    })
    .execute();
  return { id, pin, expiresAt };
}

/**
 * Finds the live PIN of a user that matches.
 *
 * Returns the user and PIN ids, or null for an unknown user, a wrong, used or expired PIN alike, so the
 * caller cannot tell which was wrong. A wrong PIN counts against every live PIN of that user.
 */
/**
 * A PIN that matched; `wrong` for a wrong, used, expired or unknown one; `locked` when the user's PIN took its last
 * allowed wrong attempt, now or before, and no other live PIN is left. `locked` tells only someone who already knew the
 * user name and spent its attempts that the PIN is gone, and saves the person at the Mac from retrying in vain.
 */
export type PinMatch = { userId: string; pinId: string } | 'wrong' | 'locked';

export async function matchRegistrationPin(
  db: Db,
  tenantId: string,
  username: string,
  pin: string,
  now: Date,
): Promise<PinMatch> {
  const user = await db
    .selectFrom('users')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('username', '=', username)
    .executeTakeFirst();
  if (!user) {
    // Spend the same time as a real check so response time does not reveal which usernames exist.
    await hashPin(pin, randomBytes(16));
    return 'wrong';
  }
  const livePins = await db
    .selectFrom('registration_pins')
    .select(['id', 'pin_hash', 'pin_salt'])
    .where('user_id', '=', user.id)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .where('failed_attempts', '<', MAX_FAILED_PIN_ATTEMPTS)
    .execute();
  for (const row of livePins) {
    const candidate = await hashPin(pin, Buffer.from(row.pin_salt, 'hex'));
    if (timingSafeEqual(candidate, Buffer.from(row.pin_hash, 'hex'))) return { userId: user.id, pinId: row.id };
  }
  if (livePins.length === 0) {
    await hashPin(pin, randomBytes(16));
    return (await hasLockedPin(db, user.id, now)) ? 'locked' : 'wrong';
  } else {
    await db
      .updateTable('registration_pins')
      .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) }))
      .where(
        'id',
        'in',
        livePins.map((r) => r.id),
      )
      .execute();
  }
  return livePins.length === 1 && (await hasLockedPin(db, user.id, now)) ? 'locked' : 'wrong';
}

/** Whether the user has an unused, unexpired PIN that took its last allowed wrong attempt. */
async function hasLockedPin(db: Db, userId: string, now: Date): Promise<boolean> {
  const locked = await db
    .selectFrom('registration_pins')
    .select('id')
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .where('failed_attempts', '>=', MAX_FAILED_PIN_ATTEMPTS)
    .executeTakeFirst();
  return locked !== undefined;
}

/** Marks a PIN used; false when another enrollment used it first. */
export async function consumeRegistrationPin(db: Db, pinId: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('registration_pins')
    .set({ used_at: now.toISOString() })
    .where('id', '=', pinId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

type RegistrationPinState = 'used' | 'locked' | 'expired' | 'live';

/** A user's PINs, newest first, with the state each is in at `now`. */
export async function listRegistrationPins(db: Db, userId: string, now: Date) {
  const rows = await db
    .selectFrom('registration_pins')
    .select(['id', 'created_at', 'expires_at', 'used_at', 'failed_attempts'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .execute();
  const at = now.toISOString();
  const state = (r: (typeof rows)[number]): RegistrationPinState =>
    r.used_at !== null ? 'used' : r.failed_attempts >= MAX_FAILED_PIN_ATTEMPTS ? 'locked' : r.expires_at <= at ? 'expired' : 'live';
  return rows.map((r) => ({ id: r.id, state: state(r), createdAt: r.created_at, expiresAt: r.expires_at, usedAt: r.used_at, failedAttempts: Number(r.failed_attempts) }));
}

/** Revokes an unused PIN of a user by expiring it now, which every PIN check already honours; false when there is none. */
export async function revokeRegistrationPin(db: Db, userId: string, pinId: string, now: Date): Promise<boolean> {
  const updated = await db
    .updateTable('registration_pins')
    .set({ expires_at: now.toISOString() })
    .where('id', '=', pinId)
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return updated.numUpdatedRows === 1n;
}
