// Admin API authentication: a bearer token looked up by its sha256 (the database never holds a usable token), with its scope enforced.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sha256Hex } from '../../shared/node/blob-cipher';
import { bearerToken } from './bearer-token';
import type { Db } from '../db/database';
import { HttpError, unauthorized } from '../app/http-errors';
import { tokenBySha256 } from './token-queries';

export const ADMIN_TOKEN_SCOPES = ['admin', 'read-only'] as const;
export type AdminTokenScope = (typeof ADMIN_TOKEN_SCOPES)[number];

/** Methods a read-only token may use: they change nothing. */
const READ_METHODS = new Set(['GET', 'HEAD']);

const actors = new WeakMap<FastifyRequest, string>();

/** Rejects every request of this plugin scope that lacks a live admin token, or whose token's scope does not allow it, before its body is parsed. */
export function requireAdminToken(app: FastifyInstance, db: Db): void {
  app.addHook('onRequest', async (request) => {
    const token = bearerToken(request.headers.authorization);
    if (token === null) throw unauthorized('An admin API token is required: send Authorization: Bearer <token>.');
    const row = await tokenBySha256(db, sha256Hex(token));
    if (!row || row.revoked_at !== null) throw unauthorized('The admin API token is not valid.');
    if (row.scope !== 'admin' && !READ_METHODS.has(request.method)) {
      throw new HttpError(403, 'forbidden', 'This admin API token is read-only; use a token with the admin scope to make changes.');
    }
    actors.set(request, `admin-token:${row.id}`);
  });
}

/** The audit actor of an authenticated admin request. */
export function adminActor(request: FastifyRequest): string {
  const actor = actors.get(request);
  if (actor === undefined) throw new Error('adminActor called on a request that did not pass requireAdminToken');
  return actor;
}
