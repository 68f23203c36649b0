// User and device groups in the database: their table types and every query the group routes make; both kinds have the same shape.
import { containsIgnoringCase } from '../admin-api/admin-route';
import type { Db } from '../db/database';
import { paginate, type Page } from '../db/paginate';

export type GroupKind = 'user' | 'device';

export interface GroupsTable {
  id: string;
  tenant_id: string;
  name: string;
  description: string | null;
  created_at: string;
  updated_at: string;
}

export interface UserGroupMembersTable {
  group_id: string;
  user_id: string;
  added_at: string;
}

export interface DeviceGroupMembersTable {
  group_id: string;
  device_id: string;
  added_at: string;
}

const GROUP_TABLE = { user: 'user_groups', device: 'device_groups' } as const;
const MEMBER_TABLE = { user: 'user_group_members', device: 'device_group_members' } as const;

export async function listGroups(db: Db, kind: GroupKind, tenantId: string, q: string | undefined, page: { limit: number; offset: number }): Promise<{ rows: GroupsTable[]; page: Page }> {
  let base = db.selectFrom(GROUP_TABLE[kind]).where('tenant_id', '=', tenantId);
  if (q !== undefined) base = base.where(containsIgnoringCase('name', q));
  return paginate(base.selectAll().orderBy('name'), page);
}

export function groupById(db: Db, kind: GroupKind, tenantId: string, id: string): Promise<GroupsTable | undefined> {
  return db.selectFrom(GROUP_TABLE[kind]).selectAll().where('id', '=', id).where('tenant_id', '=', tenantId).executeTakeFirst();
}

/** Whether another group of this kind than `exceptId` has this name. */
export async function groupNameTaken(db: Db, kind: GroupKind, tenantId: string, name: string, exceptId?: string): Promise<boolean> {
  let query = db.selectFrom(GROUP_TABLE[kind]).select('id').where('tenant_id', '=', tenantId).where('name', '=', name);
  if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

export async function insertGroup(db: Db, kind: GroupKind, group: GroupsTable): Promise<void> {
  await db.insertInto(GROUP_TABLE[kind]).values(group).execute();
}

export async function updateGroup(db: Db, kind: GroupKind, group: GroupsTable): Promise<void> {
  await db.updateTable(GROUP_TABLE[kind]).set({ name: group.name, description: group.description, updated_at: group.updated_at }).where('id', '=', group.id).execute();
}

/** Deletes a group with its memberships; the members themselves stay. */
export async function deleteGroup(db: Db, kind: GroupKind, groupId: string): Promise<void> {
  await db.deleteFrom(MEMBER_TABLE[kind]).where('group_id', '=', groupId).execute();
  await db.deleteFrom(GROUP_TABLE[kind]).where('id', '=', groupId).execute();
}

/** Which of `ids` are users (or devices) of the tenant. */
export async function knownMemberIds(db: Db, kind: GroupKind, tenantId: string, ids: string[]): Promise<Set<string>> {
  const known = await db.selectFrom(kind === 'user' ? 'users' : 'devices').select('id').where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
  return new Set(known.map((r) => r.id));
}

/** Member ids of a group, and a member's name for display. */
export async function groupMembers(db: Db, kind: GroupKind, groupId: string): Promise<{ id: string; name: string }[]> {
  if (kind === 'user') {
    return db
      .selectFrom('user_group_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['u.id', 'u.username as name'])
      .where('m.group_id', '=', groupId)
      .orderBy('u.username')
      .execute();
  }
  return db
    .selectFrom('device_group_members as m')
    .innerJoin('devices as d', 'd.id', 'm.device_id')
    .select(['d.id', 'd.name'])
    .where('m.group_id', '=', groupId)
    .orderBy('d.name')
    .execute();
}

export async function insertMembers(db: Db, kind: GroupKind, groupId: string, ids: string[], at: string): Promise<void> {
  if (kind === 'user') {
    await db
      .insertInto('user_group_members')
      .values(ids.map((id) => ({ group_id: groupId, user_id: id, added_at: at })))
      .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
      .execute();
  } else {
    await db
      .insertInto('device_group_members')
      .values(ids.map((id) => ({ group_id: groupId, device_id: id, added_at: at })))
      .onConflict((oc) => oc.columns(['group_id', 'device_id']).doNothing())
      .execute();
  }
}

export async function deleteMember(db: Db, kind: GroupKind, groupId: string, memberId: string): Promise<{ numDeletedRows: bigint }> {
  return kind === 'user'
    ? db.deleteFrom('user_group_members').where('group_id', '=', groupId).where('user_id', '=', memberId).executeTakeFirst()
    : db.deleteFrom('device_group_members').where('group_id', '=', groupId).where('device_id', '=', memberId).executeTakeFirst();
}

/** Every user group membership, of all tenants' groups: for matching many devices' users at once. */
export function allUserGroupMemberships(db: Db): Promise<{ group_id: string; user_id: string }[]> {
  return db.selectFrom('user_group_members').select(['group_id', 'user_id']).execute();
}

/** Every device group membership, of all tenants' groups: for matching many devices at once. */
export function allDeviceGroupMemberships(db: Db): Promise<{ group_id: string; device_id: string }[]> {
  return db.selectFrom('device_group_members').select(['group_id', 'device_id']).execute();
}
