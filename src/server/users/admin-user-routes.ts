// Admin API: users and their registration PINs.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { BoundedInt } from '../../shared/input-bounds';
import { adminActor } from '../admin-api/admin-auth';
import { addAdminRoute, defineAdminRoute, IdParamsSchema, PageQuerySchema, SearchTermSchema } from '../admin-api/admin-route';
import { auditedChange } from '../audit/audit-log';
import type { Db } from '../db/database';
import { conflict, notFound } from '../app/http-errors';
import { deleteUserEnrollmentTokens, userHasLiveEnrollmentToken } from '../devices/enrollment-token-queries';
import { DEFAULT_PIN_TTL_SECONDS, createRegistrationPin, listRegistrationPins, revokeRegistrationPin } from '../devices/registration-pins';
import type { ServerContext } from '../app/server-context';
import { deleteUser, userById, insertUser, listUsers, updateUser, userGroupsAndDevices, userHasDevices, usernameTaken, type UserRow } from './user-queries';

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
    summary: 'Delete a user without devices or live enrollment tokens; their PINs, revoked and expired tokens and group memberships go too.',
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

const userView = (u: UserRow) => ({ id: u.id, username: u.username, displayName: u.display_name, createdAt: u.created_at });

/** Registers /users routes on an admin-authenticated plugin scope. */
export function adminUserRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const findUser = async (id: string): Promise<UserRow> => {
    const user = await userById(ctx.db, ctx.tenant.id, id);
    if (!user) throw notFound(`User ${id} does not exist.`);
    return user;
  };
  const refuseTakenUsername = async (username: string, exceptId?: string) => {
    if (await usernameTaken(ctx.db, ctx.tenant.id, username, exceptId)) throw conflict(`A user named ${username} already exists.`);
  };

  addAdminRoute(app, USER_ROUTES.list, async ({ query }) => {
    const { rows, page } = await listUsers(ctx.db, ctx.tenant.id, query, query);
    return { users: rows.map(userView), page };
  });

  addAdminRoute(app, USER_ROUTES.get, async ({ params }) => {
    const user = await findUser(params.id);
    return { ...userView(user), ...(await userGroupsAndDevices(ctx.db, user.id)) };
  });

  addAdminRoute(app, USER_ROUTES.create, async ({ body, request }) => {
    const now = ctx.now();
    const user: UserRow = { id: randomUUID(), username: body.username, display_name: body.displayName ?? null, created_at: now.toISOString() };
    await refuseTakenUsername(body.username);
    await auditedChange(ctx.db, { at: now, actor: adminActor(request), action: 'user.create', target: `user:${user.id}`, details: { username: user.username }, after: userView(user) }, async (trx) => {
      await insertUser(trx, ctx.tenant.id, user);
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
    await auditedChange(ctx.db, { at: now, actor: adminActor(request), action: 'user.update', target: `user:${before.id}`, before: userView(before), after: userView(after) }, async (trx) => {
      await updateUser(trx, after);
    });
    return userView(after);
  });

  addAdminRoute(app, USER_ROUTES.delete, async ({ params, request }) => {
    const user = await findUser(params.id);
    if (await userHasDevices(ctx.db, user.id)) throw conflict(`User ${user.username} still has devices; delete or reassign them first.`);
    const now = ctx.now();
    if (await userHasLiveEnrollmentToken(ctx.db, user.id, now)) throw conflict(`User ${user.username} still has live enrollment tokens; revoke them first.`);
    await auditedChange(ctx.db, { at: now, actor: adminActor(request), action: 'user.delete', target: `user:${user.id}`, before: userView(user) }, async (trx) => {
      await deleteUserEnrollmentTokens(trx, user.id);
      await deleteUser(trx, user.id);
    });
    return { deleted: user.id };
  });

  addAdminRoute(app, USER_ROUTES.createPin, async ({ params, body, request }) => {
    const user = await findUser(params.id);
    const now = ctx.now();
    const created = await auditedChange(
      ctx.db,
      // The PIN itself stays out of the audit trail: whoever reads the trail must not be able to enroll.
      (pin) => ({ at: now, actor: adminActor(request), action: 'registration_pin.create', target: `user:${user.id}`, details: { pinId: pin.id, expiresAt: pin.expiresAt } }),
      (trx: Db) => createRegistrationPin(trx, user.id, body.ttlSeconds ?? DEFAULT_PIN_TTL_SECONDS, now),
    );
    return { id: created.id, pin: created.pin, expiresAt: created.expiresAt };
  });

  addAdminRoute(app, USER_ROUTES.listPins, async ({ params }) => {
    const user = await findUser(params.id);
    return { registrationPins: await listRegistrationPins(ctx.db, user.id, ctx.now()) };
  });

  addAdminRoute(app, USER_ROUTES.revokePin, async ({ params, request }) => {
    const user = await findUser(params.id);
    const now = ctx.now();
    await auditedChange(ctx.db, { at: now, actor: adminActor(request), action: 'registration_pin.revoke', target: `user:${user.id}`, details: { pinId: params.pinId } }, async (trx) => {
      if (!(await revokeRegistrationPin(trx, user.id, params.pinId, now))) throw notFound(`User ${user.username} has no unused registration PIN ${params.pinId}.`);
    });
    return { revoked: params.pinId };
  });
}
