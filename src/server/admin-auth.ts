// Admin API authentication: a bearer token looked up by its sha256, so the database never holds a usable token.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sha256Hex } from '../shared/blob-cipher';
import { bearerToken } from './bearer-token';
import type { Db } from './database';
import { unauthorized } from './http-errors';

const actors = new WeakMap<FastifyRequest, string>();

/** Rejects every request of this plugin scope that lacks a known admin token, before its body is parsed. */
export function requireAdminToken(app: FastifyInstance, db: Db): void {
  app.addHook('onRequest', async (request) => {
    const token = bearerToken(request.headers.authorization);
    if (token === null) throw unauthorized('An admin API token is required: send Authorization: Bearer <token>.');
    // Looking up the hash, not the token, leaves nothing for a timing attack to compare against.
    const row = await db.selectFrom('admin_tokens').select('id').where('token_sha256', '=', sha256Hex(token)).executeTakeFirst();
    if (!row) throw unauthorized('The admin API token is not valid.');
    actors.set(request, `admin-token:${row.id}`);
  });
}

/** The audit actor of an authenticated admin request. */
export function adminActor(request: FastifyRequest): string {
  const actor = actors.get(request);
  if (actor === undefined) throw new Error('adminActor called on a request that did not pass requireAdminToken');
  return actor;
}
