// Users in the database: their table type and every query the user routes make, so the routes read like the API.
import { containsIgnoringCase } from '../admin-api/admin-route';
import type { Db } from '../db/database';
import { paginate, type Page } from '../db/paginate';

export interface UsersTable {
  id: string;
  tenant_id: string;
  username: string;
  display_name: string | null;
  created_at: string;
}

export type UserRow = Pick<UsersTable, 'id' | 'username' | 'display_name' | 'created_at'>;

const USER_COLUMNS = ['id', 'username', 'display_name', 'created_at'] as const;

export interface UserFilter {
  /** Part of the username or display name, any case. */
  q?: string;
  groupId?: string;
}

export async function listUsers(db: Db, tenantId: string, filter: UserFilter, page: { limit: number; offset: number }): Promise<{ rows: UserRow[]; page: Page }> {
  let base = db.selectFrom('users').where('tenant_id', '=', tenantId);
  const { q, groupId } = filter;
  if (q !== undefined) base = base.where((eb) => eb.or([containsIgnoringCase('username', q), containsIgnoringCase('display_name', q)]));
  if (groupId !== undefined) base = base.where('id', 'in', db.selectFrom('user_group_members').select('user_id').where('group_id', '=', groupId));
  return paginate(base.select(USER_COLUMNS).orderBy('username'), page);
}

export function userById(db: Db, tenantId: string, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').select(USER_COLUMNS).where('id', '=', id).where('tenant_id', '=', tenantId).executeTakeFirst();
}

/** Whether another user of the tenant than `exceptId` has this username. */
export async function usernameTaken(db: Db, tenantId: string, username: string, exceptId?: string): Promise<boolean> {
  let query = db.selectFrom('users').select('id').where('tenant_id', '=', tenantId).where('username', '=', username);
  if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

/** The groups a user is in and the devices enrolled for them. */
export async function userGroupsAndDevices(db: Db, userId: string) {
  const [groups, devices] = await Promise.all([
    db.selectFrom('user_group_members as m').innerJoin('user_groups as g', 'g.id', 'm.group_id').select(['g.id', 'g.name']).where('m.user_id', '=', userId).orderBy('g.name').execute(),
    db.selectFrom('devices').select(['id', 'name', 'status']).where('user_id', '=', userId).orderBy('enrolled_at').execute(),
  ]);
  return { groups, devices };
}

export async function userHasDevices(db: Db, userId: string): Promise<boolean> {
  return (await db.selectFrom('devices').select('id').where('user_id', '=', userId).executeTakeFirst()) !== undefined;
}

export async function insertUser(db: Db, tenantId: string, user: UserRow): Promise<void> {
  await db.insertInto('users').values({ ...user, tenant_id: tenantId }).execute();
}

export async function updateUser(db: Db, user: UserRow): Promise<void> {
  await db.updateTable('users').set({ username: user.username, display_name: user.display_name }).where('id', '=', user.id).execute();
}

/** Deletes a user with their registration PINs and group memberships; the caller has checked they have no devices. */
export async function deleteUser(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('user_group_members').where('user_id', '=', userId).execute();
  await db.deleteFrom('registration_pins').where('user_id', '=', userId).execute();
  await db.deleteFrom('users').where('id', '=', userId).execute();
}
