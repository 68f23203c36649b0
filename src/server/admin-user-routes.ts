// Admin API: users and their registration PINs.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { adminActor } from './admin-auth';
import { recordAudit } from './audit-log';
import { conflict, notFound, parseInput } from './http-errors';
import { DEFAULT_PIN_TTL_SECONDS, createRegistrationPin } from './registration-pins';
import type { ServerContext } from './server-context';

const CreateUserSchema = z.strictObject({
  username: z.string().trim().min(1).max(200),
  displayName: z.string().trim().min(1).max(200).optional(),
});
const CreatePinSchema = z.strictObject({
  ttlSeconds: z.number().int().min(60).max(90 * 24 * 3600).optional(),
});
const IdParamsSchema = z.object({ id: z.string() });

interface UserRow {
  id: string;
  username: string;
  display_name: string | null;
  created_at: string;
}

const userView = (u: UserRow) => ({ id: u.id, username: u.username, displayName: u.display_name, createdAt: u.created_at });

/** Registers /users routes on an admin-authenticated plugin scope. */
export function adminUserRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/users', async () => {
    const rows = await ctx.db.selectFrom('users').selectAll().where('tenant_id', '=', ctx.tenant.id).orderBy('username').execute();
    return { users: rows.map(userView) };
  });

  app.post('/users', async (request, reply) => {
    const body = parseInput(CreateUserSchema, request.body, 'body');
    const now = ctx.now();
    const user: UserRow = { id: randomUUID(), username: body.username, display_name: body.displayName ?? null, created_at: now.toISOString() };
    await ctx.db.transaction().execute(async (trx) => {
      const taken = await trx
        .selectFrom('users')
        .select('id')
        .where('tenant_id', '=', ctx.tenant.id)
        .where('username', '=', body.username)
        .executeTakeFirst();
      if (taken) throw conflict(`A user named ${body.username} already exists.`);
      await trx.insertInto('users').values({ ...user, tenant_id: ctx.tenant.id }).execute();
      await recordAudit(trx, { actor: adminActor(request), action: 'user.create', target: `user:${user.id}`, details: { username: user.username } }, now);
    });
    return reply.code(201).send(userView(user));
  });

  app.post('/users/:id/registration-pins', async (request, reply) => {
    const { id } = parseInput(IdParamsSchema, request.params, 'user id');
    const body = parseInput(CreatePinSchema, request.body === undefined ? {} : request.body, 'body');
    const now = ctx.now();
    const user = await ctx.db.selectFrom('users').select('id').where('id', '=', id).where('tenant_id', '=', ctx.tenant.id).executeTakeFirst();
    if (!user) throw notFound(`User ${id} does not exist.`);
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
    return reply.code(201).send({ pin: created.pin, expiresAt: created.expiresAt });
  });
}
