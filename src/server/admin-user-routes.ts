// Admin API: users and their registration PINs.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { BoundedInt } from '../shared/input-bounds';
import { adminActor } from './admin-auth';
import { addAdminRoute, containsIgnoringCase, defineAdminRoute, IdParamsSchema, PageQuerySchema, SearchTermSchema } from './admin-route';
import { recordAudit } from './audit-log';
import type { UsersTable } from './database';
import { conflict, notFound } from './http-errors';
import { DEFAULT_PIN_TTL_SECONDS, createRegistrationPin, MAX_FAILED_PIN_ATTEMPTS } from './registration-pins';
import type { ServerContext } from './server-context';

const Username = z.string().trim().min(1).max(200);
const DisplayName = z.string().trim().min(1).max(200);

export const USER_ROUTES = {
  list: defineAdminRoute({
    method: 'GET',
    path: '/users',
    operation: 'users.list',
    summary: 'List users, filtered by a search term (username or display name) or a user group.',
    query: PageQuerySchema.extend({ q: SearchTermSchema.optional(), groupId: z.string().max(64).optional() }),
  }),
  get: defineAdminRoute({ method: 'GET', path: '/users/:id', operation: 'users.get', summary: 'A user with their groups and devices.', params: IdParamsSchema }),
  create: defineAdminRoute({
    method: 'POST',
    path: '/users',
    operation: 'users.create',
    summary: 'Create a user.',
    body: z.strictObject({ username: Username, displayName: DisplayName.optional() }),
    successStatus: 201,
  }),
  update: defineAdminRoute({
    method: 'PATCH',
    path: '/users/:id',
    operation: 'users.update',
    summary: 'Rename a user or change their display name (null clears it).',
    params: IdParamsSchema,
    body: z.strictObject({ username: Username.optional(), displayName: DisplayName.nullable().optional() }),
  }),
  delete: defineAdminRoute({
    method: 'DELETE',
    path: '/users/:id',
    operation: 'users.delete',
    summary: 'Delete a user without devices; their PINs and group memberships go too.',
    params: IdParamsSchema,
  }),
  createPin: defineAdminRoute({
    method: 'POST',
    path: '/users/:id/registration-pins',
    operation: 'users.create-pin',
    summary: 'Create a single-use registration PIN for the user; the PIN is shown once.',
    params: IdParamsSchema,
    body: z.strictObject({ ttlSeconds: BoundedInt(60, 90 * 24 * 3600).optional() }),
    successStatus: 201,
  }),
  listPins: defineAdminRoute({
    method: 'GET',
    path: '/users/:id/registration-pins',
    operation: 'users.list-pins',
    summary: "The user's registration PINs and their state (the PINs themselves are never stored).",
    params: IdParamsSchema,
  }),
  revokePin: defineAdminRoute({
    method: 'DELETE',
    path: '/users/:id/registration-pins/:pinId',
    operation: 'users.revoke-pin',
    summary: 'Revoke a registration PIN so it can no longer enroll a device.',
    params: z.object({ id: z.string().min(1).max(64), pinId: z.string().min(1).max(64) }),
  }),
};

type UserRow = Pick<UsersTable, 'id' | 'username' | 'display_name' | 'created_at'>;
const userView = (u: UserRow) => ({ id: u.id, username: u.username, displayName: u.display_name, createdAt: u.created_at });

/** Registers /users routes on an admin-authenticated plugin scope. */
export function adminUserRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const findUser = async (id: string): Promise<UserRow> => {
    const user = await ctx.db
      .selectFrom('users')
      .select(['id', 'username', 'display_name', 'created_at'])
      .where('id', '=', id)
      .where('tenant_id', '=', ctx.tenant.id)
      .executeTakeFirst();
    if (!user) throw notFound(`User ${id} does not exist.`);
    return user;
  };
  const refuseTakenUsername = async (username: string, exceptId?: string) => {
    let query = ctx.db.selectFrom('users').select('id').where('tenant_id', '=', ctx.tenant.id).where('username', '=', username);
    if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
    if (await query.executeTakeFirst()) throw conflict(`A user named ${username} already exists.`);
  };

  addAdminRoute(app, USER_ROUTES.list, async ({ query }) => {
    let base = ctx.db.selectFrom('users').where('tenant_id', '=', ctx.tenant.id);
    if (query.q !== undefined) {
      const q = query.q;
      base = base.where((eb) => eb.or([containsIgnoringCase('username', q), containsIgnoringCase('display_name', q)]));
    }
    if (query.groupId !== undefined) {
      base = base.where('id', 'in', ctx.db.selectFrom('user_group_members').select('user_id').where('group_id', '=', query.groupId));
    }
    const [rows, count] = await Promise.all([
      base.select(['id', 'username', 'display_name', 'created_at']).orderBy('username').limit(query.limit).offset(query.offset).execute(),
      base.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { users: rows.map(userView), page: { limit: query.limit, offset: query.offset, total: Number(count.n) } };
  });

  addAdminRoute(app, USER_ROUTES.get, async ({ params }) => {
    const user = await findUser(params.id);
    const [groups, devices] = await Promise.all([
      ctx.db
        .selectFrom('user_group_members as m')
        .innerJoin('user_groups as g', 'g.id', 'm.group_id')
        .select(['g.id', 'g.name'])
        .where('m.user_id', '=', user.id)
        .orderBy('g.name')
        .execute(),
      ctx.db.selectFrom('devices').select(['id', 'name', 'status']).where('user_id', '=', user.id).orderBy('enrolled_at').execute(),
    ]);
    return { ...userView(user), groups, devices };
  });

  addAdminRoute(app, USER_ROUTES.create, async ({ body, request }) => {
    const now = ctx.now();
    const user: UserRow = { id: randomUUID(), username: body.username, display_name: body.displayName ?? null, created_at: now.toISOString() };
    await refuseTakenUsername(body.username);
    await ctx.db.transaction().execute(async (trx) => {
      await trx.insertInto('users').values({ ...user, tenant_id: ctx.tenant.id }).execute();
      await recordAudit(trx, { actor: adminActor(request), action: 'user.create', target: `user:${user.id}`, details: { username: user.username }, after: userView(user) }, now);
    });
    return userView(user);
  });

  addAdminRoute(app, USER_ROUTES.update, async ({ params, body, request }) => {
    const before = await findUser(params.id);
    if (body.username !== undefined) await refuseTakenUsername(body.username, before.id);
    const after: UserRow = {
      ...before,
      username: body.username ?? before.username,
      display_name: body.displayName === undefined ? before.display_name : body.displayName,
    };
    const now = ctx.now();
    await ctx.db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ username: after.username, display_name: after.display_name }).where('id', '=', before.id).execute();
      await recordAudit(trx, { actor: adminActor(request), action: 'user.update', target: `user:${before.id}`, before: userView(before), after: userView(after) }, now);
    });
    return userView(after);
  });

  addAdminRoute(app, USER_ROUTES.delete, async ({ params, request }) => {
    const user = await findUser(params.id);
    const device = await ctx.db.selectFrom('devices').select('id').where('user_id', '=', user.id).executeTakeFirst();
    if (device) throw conflict(`User ${user.username} still has devices; delete or reassign them first.`);
    const now = ctx.now();
    await ctx.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('user_group_members').where('user_id', '=', user.id).execute();
      await trx.deleteFrom('registration_pins').where('user_id', '=', user.id).execute();
      await trx.deleteFrom('users').where('id', '=', user.id).execute();
      await recordAudit(trx, { actor: adminActor(request), action: 'user.delete', target: `user:${user.id}`, before: userView(user) }, now);
    });
    return { deleted: user.id };
  });

  addAdminRoute(app, USER_ROUTES.createPin, async ({ params, body, request }) => {
    const user = await findUser(params.id);
    const now = ctx.now();
    const created = await ctx.db.transaction().execute(async (trx) => {
      const pin = await createRegistrationPin(trx, user.id, body.ttlSeconds ?? DEFAULT_PIN_TTL_SECONDS, now);
      // The PIN itself stays out of the audit trail: whoever reads the trail must not be able to enroll.
      await recordAudit(
        trx,
        { actor: adminActor(request), action: 'registration_pin.create', target: `user:${user.id}`, details: { pinId: pin.id, expiresAt: pin.expiresAt } },
        now,
      );
      return pin;
    });
    return { id: created.id, pin: created.pin, expiresAt: created.expiresAt };
  });

  addAdminRoute(app, USER_ROUTES.listPins, async ({ params }) => {
    const user = await findUser(params.id);
    const now = ctx.now().toISOString();
    const rows = await ctx.db
      .selectFrom('registration_pins')
      .select(['id', 'created_at', 'expires_at', 'used_at', 'failed_attempts'])
      .where('user_id', '=', user.id)
      .orderBy('created_at', 'desc')
      .execute();
    const state = (r: (typeof rows)[number]) =>
      r.used_at !== null ? 'used' : r.failed_attempts >= MAX_FAILED_PIN_ATTEMPTS ? 'locked' : r.expires_at <= now ? 'expired' : 'live';
    return {
      registrationPins: rows.map((r) => ({ id: r.id, state: state(r), createdAt: r.created_at, expiresAt: r.expires_at, usedAt: r.used_at, failedAttempts: Number(r.failed_attempts) })),
    };
  });

  addAdminRoute(app, USER_ROUTES.revokePin, async ({ params, request }) => {
    const user = await findUser(params.id);
    const now = ctx.now();
    await ctx.db.transaction().execute(async (trx) => {
      // Expiring it now is a revocation every PIN check already honours.
      const updated = await trx
        .updateTable('registration_pins')
        .set({ expires_at: now.toISOString() })
        .where('id', '=', params.pinId)
        .where('user_id', '=', user.id)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (updated.numUpdatedRows !== 1n) throw notFound(`User ${user.username} has no unused registration PIN ${params.pinId}.`);
      await recordAudit(trx, { actor: adminActor(request), action: 'registration_pin.revoke', target: `user:${user.id}`, details: { pinId: params.pinId } }, now);
    });
    return { revoked: params.pinId };
  });
}
