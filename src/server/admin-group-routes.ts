// Admin API: user groups and device groups, the same shape each: CRUD plus members, refused deletion while a distribution names them.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { adminActor } from './admin-auth';
import { addAdminRoute, containsIgnoringCase, defineAdminRoute, IdParamsSchema, PageQuerySchema, SearchTermSchema } from './admin-route';
import { recordAudit } from './audit-log';
import type { Db, GroupsTable } from './database';
import { configurationsNaming, describeUses } from './distribution';
import { badRequest, conflict, notFound } from './http-errors';
import type { ServerContext } from './server-context';

type GroupKind = 'user' | 'device';

const GroupName = z.string().trim().min(1).max(200);
const Description = z.string().max(2000);
const MembersBodySchema = z.strictObject({ ids: z.array(z.string().min(1).max(64)).min(1).max(1000) });

function groupRouteSpecs(kind: GroupKind) {
  const resource = `${kind}-groups`;
  const path = `/${resource}`;
  return {
    list: defineAdminRoute({
      method: 'GET',
      path,
      operation: `${resource}.list`,
      summary: `List ${kind} groups, filtered by a search term on the name.`,
      query: PageQuerySchema.extend({ q: SearchTermSchema.optional() }),
    }),
    get: defineAdminRoute({ method: 'GET', path: `${path}/:id`, operation: `${resource}.get`, summary: `A ${kind} group with its members.`, params: IdParamsSchema }),
    create: defineAdminRoute({
      method: 'POST',
      path,
      operation: `${resource}.create`,
      summary: `Create a ${kind} group.`,
      body: z.strictObject({ name: GroupName, description: Description.optional() }),
      successStatus: 201,
    }),
    update: defineAdminRoute({
      method: 'PATCH',
      path: `${path}/:id`,
      operation: `${resource}.update`,
      summary: `Rename a ${kind} group or change its description.`,
      params: IdParamsSchema,
      body: z.strictObject({ name: GroupName.optional(), description: Description.nullable().optional() }),
    }),
    delete: defineAdminRoute({
      method: 'DELETE',
      path: `${path}/:id`,
      operation: `${resource}.delete`,
      summary: `Delete a ${kind} group that no distribution names.`,
      params: IdParamsSchema,
    }),
    addMembers: defineAdminRoute({
      method: 'POST',
      path: `${path}/:id/members`,
      operation: `${resource}.add-members`,
      summary: `Add ${kind}s to the group; ones already in it are left as they are.`,
      params: IdParamsSchema,
      body: MembersBodySchema,
    }),
    removeMember: defineAdminRoute({
      method: 'DELETE',
      path: `${path}/:id/members/:memberId`,
      operation: `${resource}.remove-member`,
      summary: `Remove a ${kind} from the group.`,
      params: z.object({ id: z.string().min(1).max(64), memberId: z.string().min(1).max(64) }),
    }),
  };
}

export const USER_GROUP_ROUTES = groupRouteSpecs('user');
export const DEVICE_GROUP_ROUTES = groupRouteSpecs('device');

const groupView = (g: GroupsTable) => ({ id: g.id, name: g.name, description: g.description, createdAt: g.created_at, updatedAt: g.updated_at });

/** Member ids of a group, and a member's name for display. */
async function groupMembers(db: Db, kind: GroupKind, groupId: string): Promise<{ id: string; name: string }[]> {
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

async function insertMembers(db: Db, kind: GroupKind, groupId: string, ids: string[], at: string): Promise<void> {
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

async function deleteMember(db: Db, kind: GroupKind, groupId: string, memberId: string): Promise<{ numDeletedRows: bigint }> {
  return kind === 'user'
    ? db.deleteFrom('user_group_members').where('group_id', '=', groupId).where('user_id', '=', memberId).executeTakeFirst()
    : db.deleteFrom('device_group_members').where('group_id', '=', groupId).where('device_id', '=', memberId).executeTakeFirst();
}

/** Registers /user-groups or /device-groups routes on an admin-authenticated plugin scope. */
function registerGroupRoutes(app: FastifyInstance, ctx: ServerContext, kind: GroupKind): void {
  const specs = kind === 'user' ? USER_GROUP_ROUTES : DEVICE_GROUP_ROUTES;
  const table = kind === 'user' ? 'user_groups' : 'device_groups';
  const auditKind = `${kind}_group`;
  const memberTable = kind === 'user' ? 'user_group_members' : 'device_group_members';
  const what = `${kind} group`;

  const findGroup = async (id: string): Promise<GroupsTable> => {
    const group = await ctx.db.selectFrom(table).selectAll().where('id', '=', id).where('tenant_id', '=', ctx.tenant.id).executeTakeFirst();
    if (!group) throw notFound(`The ${what} ${id} does not exist.`);
    return group;
  };
  const refuseTakenName = async (name: string, exceptId?: string) => {
    let query = ctx.db.selectFrom(table).select('id').where('tenant_id', '=', ctx.tenant.id).where('name', '=', name);
    if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
    if (await query.executeTakeFirst()) throw conflict(`A ${what} named ${name} already exists.`);
  };

  addAdminRoute(app, specs.list, async ({ query }) => {
    let base = ctx.db.selectFrom(table).where('tenant_id', '=', ctx.tenant.id);
    if (query.q !== undefined) base = base.where(containsIgnoringCase('name', query.q));
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('name').limit(query.limit).offset(query.offset).execute(),
      base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { groups: rows.map(groupView), page: { limit: query.limit, offset: query.offset, total: Number(count.n) } };
  });

  addAdminRoute(app, specs.get, async ({ params }) => {
    const group = await findGroup(params.id);
    return { ...groupView(group), members: await groupMembers(ctx.db, kind, group.id) };
  });

  addAdminRoute(app, specs.create, async ({ body, request }) => {
    await refuseTakenName(body.name);
    const now = ctx.now();
    const group: GroupsTable = {
      id: randomUUID(),
      tenant_id: ctx.tenant.id,
      name: body.name,
      description: body.description ?? null,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    };
    await ctx.db.transaction().execute(async (trx) => {
      await trx.insertInto(table).values(group).execute();
      await recordAudit(trx, { actor: adminActor(request), action: `${auditKind}.create`, target: `${auditKind}:${group.id}`, after: groupView(group) }, now);
    });
    return groupView(group);
  });

  addAdminRoute(app, specs.update, async ({ params, body, request }) => {
    const before = await findGroup(params.id);
    if (body.name !== undefined) await refuseTakenName(body.name, before.id);
    const now = ctx.now();
    const after: GroupsTable = {
      ...before,
      name: body.name ?? before.name,
      description: body.description === undefined ? before.description : body.description,
      updated_at: now.toISOString(),
    };
    await ctx.db.transaction().execute(async (trx) => {
      await trx.updateTable(table).set({ name: after.name, description: after.description, updated_at: after.updated_at }).where('id', '=', before.id).execute();
      await recordAudit(trx, { actor: adminActor(request), action: `${auditKind}.update`, target: `${auditKind}:${before.id}`, before: groupView(before), after: groupView(after) }, now);
    });
    return groupView(after);
  });

  addAdminRoute(app, specs.delete, async ({ params, request }) => {
    const group = await findGroup(params.id);
    const uses = await configurationsNaming(ctx.db, ctx.tenant.id, kind === 'user' ? 'userGroups' : 'deviceGroups', group.id);
    if (uses.length > 0) throw conflict(`The ${what} ${group.name} is distributed to by ${describeUses(uses)}; change those distributions first.`);
    const now = ctx.now();
    await ctx.db.transaction().execute(async (trx) => {
      await trx.deleteFrom(memberTable).where('group_id', '=', group.id).execute();
      await trx.deleteFrom(table).where('id', '=', group.id).execute();
      await recordAudit(trx, { actor: adminActor(request), action: `${auditKind}.delete`, target: `${auditKind}:${group.id}`, before: groupView(group) }, now);
    });
    return { deleted: group.id };
  });

  addAdminRoute(app, specs.addMembers, async ({ params, body, request }) => {
    const group = await findGroup(params.id);
    const ids = [...new Set(body.ids)];
    const memberOf = kind === 'user' ? 'users' : 'devices';
    const known = await ctx.db.selectFrom(memberOf).select('id').where('tenant_id', '=', ctx.tenant.id).where('id', 'in', ids).execute();
    const knownIds = new Set(known.map((r) => r.id));
    const missing = ids.find((id) => !knownIds.has(id));
    if (missing !== undefined) throw badRequest(`There is no ${kind} ${missing}.`);
    const now = ctx.now();
    await ctx.db.transaction().execute(async (trx) => {
      await insertMembers(trx, kind, group.id, ids, now.toISOString());
      await recordAudit(trx, { actor: adminActor(request), action: `${auditKind}.add_members`, target: `${auditKind}:${group.id}`, details: { added: ids } }, now);
    });
    return { ...groupView(group), members: await groupMembers(ctx.db, kind, group.id) };
  });

  addAdminRoute(app, specs.removeMember, async ({ params, request }) => {
    const group = await findGroup(params.id);
    const now = ctx.now();
    await ctx.db.transaction().execute(async (trx) => {
      const removed = await deleteMember(trx, kind, group.id, params.memberId);
      if (removed.numDeletedRows !== 1n) throw notFound(`The ${kind} ${params.memberId} is not in the ${what} ${group.name}.`);
      await recordAudit(trx, { actor: adminActor(request), action: `${auditKind}.remove_member`, target: `${auditKind}:${group.id}`, details: { removed: params.memberId } }, now);
    });
    return { ...groupView(group), members: await groupMembers(ctx.db, kind, group.id) };
  });
}

/** Registers /user-groups and /device-groups routes on an admin-authenticated plugin scope. */
export function adminGroupRoutes(app: FastifyInstance, ctx: ServerContext): void {
  registerGroupRoutes(app, ctx, 'user');
  registerGroupRoutes(app, ctx, 'device');
}
