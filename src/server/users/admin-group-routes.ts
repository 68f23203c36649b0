// Admin API: user groups and device groups, the same shape each: CRUD plus members, refused deletion while a distribution names them.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { adminActor } from '../admin-api/admin-auth';
import { addAdminRoute, defineAdminRoute, IdParamsSchema, PageQuerySchema, SearchTermSchema } from '../admin-api/admin-route';
import { auditedChange } from '../audit/audit-log';
import { configurationsNaming, describeUses } from '../configurations/distribution';
import {
  deleteGroup,
  deleteMember,
  groupById,
  groupMembers,
  groupNameTaken,
  insertGroup,
  insertMembers,
  knownMemberIds,
  listGroups,
  updateGroup,
  type GroupKind,
  type GroupsTable,
} from './group-queries';
import { badRequest, conflict, notFound } from '../app/http-errors';
import type { ServerContext } from '../app/server-context';

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

/** Registers /user-groups or /device-groups routes on an admin-authenticated plugin scope. */
function registerGroupRoutes(app: FastifyInstance, ctx: ServerContext, kind: GroupKind): void {
  const specs = kind === 'user' ? USER_GROUP_ROUTES : DEVICE_GROUP_ROUTES;
  const auditKind = `${kind}_group`;
  const what = `${kind} group`;

  const findGroup = async (id: string): Promise<GroupsTable> => {
    const group = await groupById(ctx.db, kind, ctx.tenant.id, id);
    if (!group) throw notFound(`The ${what} ${id} does not exist.`);
    return group;
  };
  const refuseTakenName = async (name: string, exceptId?: string) => {
    if (await groupNameTaken(ctx.db, kind, ctx.tenant.id, name, exceptId)) throw conflict(`A ${what} named ${name} already exists.`);
  };

  addAdminRoute(app, specs.list, async ({ query }) => {
    const { rows, page } = await listGroups(ctx.db, kind, ctx.tenant.id, query.q, query);
    return { groups: rows.map(groupView), page };
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
    await auditedChange(ctx.db, { at: now, actor: adminActor(request), action: `${auditKind}.create`, target: `${auditKind}:${group.id}`, after: groupView(group) }, async (trx) => {
      await insertGroup(trx, kind, group);
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
    await auditedChange(ctx.db, { at: now, actor: adminActor(request), action: `${auditKind}.update`, target: `${auditKind}:${before.id}`, before: groupView(before), after: groupView(after) }, async (trx) => {
      await updateGroup(trx, kind, after);
    });
    return groupView(after);
  });

  addAdminRoute(app, specs.delete, async ({ params, request }) => {
    const group = await findGroup(params.id);
    const uses = await configurationsNaming(ctx.db, ctx.tenant.id, kind === 'user' ? 'userGroups' : 'deviceGroups', group.id);
    if (uses.length > 0) throw conflict(`The ${what} ${group.name} is distributed to by ${describeUses(uses)}; change those distributions first.`);
    const now = ctx.now();
    await auditedChange(ctx.db, { at: now, actor: adminActor(request), action: `${auditKind}.delete`, target: `${auditKind}:${group.id}`, before: groupView(group) }, async (trx) => {
      await deleteGroup(trx, kind, group.id);
    });
    return { deleted: group.id };
  });

  addAdminRoute(app, specs.addMembers, async ({ params, body, request }) => {
    const group = await findGroup(params.id);
    const ids = [...new Set(body.ids)];
    const knownIds = await knownMemberIds(ctx.db, kind, ctx.tenant.id, ids);
    const missing = ids.find((id) => !knownIds.has(id));
    if (missing !== undefined) throw badRequest(`There is no ${kind} ${missing}.`);
    const now = ctx.now();
    await auditedChange(ctx.db, { at: now, actor: adminActor(request), action: `${auditKind}.add_members`, target: `${auditKind}:${group.id}`, details: { added: ids } }, async (trx) => {
      await insertMembers(trx, kind, group.id, ids, now.toISOString());
    });
    return { ...groupView(group), members: await groupMembers(ctx.db, kind, group.id) };
  });

  addAdminRoute(app, specs.removeMember, async ({ params, request }) => {
    const group = await findGroup(params.id);
    const now = ctx.now();
    await auditedChange(ctx.db, { at: now, actor: adminActor(request), action: `${auditKind}.remove_member`, target: `${auditKind}:${group.id}`, details: { removed: params.memberId } }, async (trx) => {
      const removed = await deleteMember(trx, kind, group.id, params.memberId);
      if (removed.numDeletedRows !== 1n) throw notFound(`The ${kind} ${params.memberId} is not in the ${what} ${group.name}.`);
    });
    return { ...groupView(group), members: await groupMembers(ctx.db, kind, group.id) };
  });
}

/** Registers /user-groups and /device-groups routes on an admin-authenticated plugin scope. */
export function adminGroupRoutes(app: FastifyInstance, ctx: ServerContext): void {
  registerGroupRoutes(app, ctx, 'user');
  registerGroupRoutes(app, ctx, 'device');
}
