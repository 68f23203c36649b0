// Admin API: enrollment tokens (issue 12) — multi-use, expiring, scoped to the tenant and optionally a user, shown once, stored only as a sha256, revocable.
import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { BoundedInt } from '../../shared/input-bounds';
import { sha256Hex } from '../../shared/node/blob-cipher';
import { adminActor } from '../admin-api/admin-auth';
import { addAdminRoute, defineAdminRoute, IdParamsSchema } from '../admin-api/admin-route';
import { auditedChange } from '../audit/audit-log';
import type { Db } from '../db/database';
import { conflict, notFound } from '../app/http-errors';
import type { ServerContext } from '../app/server-context';
import { userById } from '../users/user-queries';
import {
  devicesEnrolledWith,
  enrollmentTokenById,
  enrollmentTokenState,
  insertEnrollmentToken,
  listEnrollmentTokens,
  revokeEnrollmentToken,
  type EnrollmentTokenRow,
} from './enrollment-token-queries';

const DAY_SECONDS = 24 * 3600;
export const MIN_ENROLLMENT_TOKEN_TTL_SECONDS = 3600;
export const MAX_ENROLLMENT_TOKEN_TTL_SECONDS = 365 * DAY_SECONDS;
export const DEFAULT_ENROLLMENT_TOKEN_TTL_SECONDS = 30 * DAY_SECONDS;

export const ENROLLMENT_TOKEN_ROUTES = {
  list: defineAdminRoute({
    method: 'GET',
    path: '/enrollment-tokens',
    operation: 'enrollment-tokens.list',
    summary: 'List enrollment tokens, newest first, with their state and how many devices each enrolled (never the tokens themselves).',
  }),
  get: defineAdminRoute({
    method: 'GET',
    path: '/enrollment-tokens/:id',
    operation: 'enrollment-tokens.get',
    summary: 'An enrollment token with the devices enrolled with it (never the token itself).',
    params: IdParamsSchema,
  }),
  create: defineAdminRoute({
    method: 'POST',
    path: '/enrollment-tokens',
    operation: 'enrollment-tokens.create',
    summary:
      'Create an enrollment token for automated enrollment (e.g. a package an MDM server installs); every device enrolled with it belongs to its user, or to no user when it names none (a lab or shared Mac). It works for any number of devices until it expires or is revoked, and is in this answer only.',
    body: z.strictObject({
      name: z.string().trim().min(1).max(200),
      userId: z
        .string()
        .min(1)
        .max(64)
        .nullable()
        .optional()
        .describe('the user every device enrolled with the token belongs to; left out or null, the devices have no user and get only what is distributed to everyone, to them or to their device groups'),
      ttlSeconds: BoundedInt(MIN_ENROLLMENT_TOKEN_TTL_SECONDS, MAX_ENROLLMENT_TOKEN_TTL_SECONDS).optional().describe('seconds until the token expires: 3600 to 31536000, 30 days when left out'),
    }),
    successStatus: 201,
  }),
  revoke: defineAdminRoute({
    method: 'DELETE',
    path: '/enrollment-tokens/:id',
    operation: 'enrollment-tokens.revoke',
    summary: 'Revoke an enrollment token at once; devices already enrolled with it stay enrolled.',
    params: IdParamsSchema,
  }),
};

const tokenView = (r: EnrollmentTokenRow, now: Date) => ({
  id: r.id,
  name: r.name,
  userId: r.user_id,
  username: r.username,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
  state: enrollmentTokenState(r, now),
  enrollments: r.enrollments,
});

/** What the audit trail keeps of a token: what it is, not how it is used, and never the token. */
const auditView = (r: EnrollmentTokenRow) => ({ id: r.id, name: r.name, userId: r.user_id, expiresAt: r.expires_at, revokedAt: r.revoked_at });

/** Registers /enrollment-tokens routes on an admin-authenticated plugin scope. */
export function adminEnrollmentTokenRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const findToken = async (db: Db, id: string): Promise<EnrollmentTokenRow> => {
    const row = await enrollmentTokenById(db, ctx.tenant.id, id);
    if (!row) throw notFound(`Enrollment token ${id} does not exist.`);
    return row;
  };

  addAdminRoute(app, ENROLLMENT_TOKEN_ROUTES.list, async () => {
    const now = ctx.now();
    return { enrollmentTokens: (await listEnrollmentTokens(ctx.db, ctx.tenant.id)).map((r) => tokenView(r, now)) };
  });

  addAdminRoute(app, ENROLLMENT_TOKEN_ROUTES.get, async ({ params }) => {
    const row = await findToken(ctx.db, params.id);
    return { ...tokenView(row, ctx.now()), devices: await devicesEnrolledWith(ctx.db, row.id) };
  });

  addAdminRoute(app, ENROLLMENT_TOKEN_ROUTES.create, async ({ body, request }) => {
    const userId = body.userId ?? null;
    const user = userId === null ? null : await userById(ctx.db, ctx.tenant.id, userId);
    if (user === undefined) throw notFound(`User ${userId} does not exist; name an existing user, or leave userId out to enroll devices without a user.`);
    const token = `atwe_${randomBytes(32).toString('base64url')}`;
    const now = ctx.now();
    const row: EnrollmentTokenRow = {
      id: randomUUID(),
      name: body.name,
      user_id: user?.id ?? null,
      username: user?.username ?? null,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + (body.ttlSeconds ?? DEFAULT_ENROLLMENT_TOKEN_TTL_SECONDS) * 1000).toISOString(),
      revoked_at: null,
      enrollments: 0,
    };
    // The token stays out of the audit trail: whoever reads the trail must not be able to enroll.
    await auditedChange(ctx.db, { at: now, actor: adminActor(request), action: 'enrollment_token.create', target: `enrollment_token:${row.id}`, after: auditView(row) }, async (trx) => {
      await insertEnrollmentToken(trx, {
        id: row.id,
        tenant_id: ctx.tenant.id,
        name: row.name,
        user_id: row.user_id,
        token_hash: sha256Hex(token),
        expires_at: row.expires_at,
        revoked_at: null,
        created_at: row.created_at,
      });
    });
    return { ...tokenView(row, now), token };
  });

  addAdminRoute(app, ENROLLMENT_TOKEN_ROUTES.revoke, async ({ params, request }) => {
    const now = ctx.now();
    const { after } = await auditedChange(
      ctx.db,
      ({ before, after }) => ({ at: now, actor: adminActor(request), action: 'enrollment_token.revoke', target: `enrollment_token:${before.id}`, before: auditView(before), after: auditView(after) }),
      async (trx: Db) => {
        const before = await findToken(trx, params.id);
        if (!(await revokeEnrollmentToken(trx, ctx.tenant.id, before.id, now))) throw conflict(`Enrollment token ${before.name} was already revoked at ${before.revoked_at ?? 'an earlier time'}.`);
        return { before, after: { ...before, revoked_at: now.toISOString() } };
      },
    );
    return tokenView(after, now);
  });
}
