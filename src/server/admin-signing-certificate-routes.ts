// Admin API: the tenant's ticket-signing certificates — list, rotate (new one in use at once), revoke (published to agents in the CRL).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { adminActor } from './admin-auth';
import { recordAudit } from './audit-log';
import { notFound, parseInput } from './http-errors';
import type { ServerContext } from './server-context';
import { REVOCATION_REASONS } from './signing-certificates';
import { normalizeSerial } from './tenant-pki';

const SerialParamsSchema = z.object({ serial: z.string().regex(/^[0-9a-fA-F]{1,40}$/, 'a serial number is hex') });
const RevokeBodySchema = z.strictObject({ reason: z.enum(REVOCATION_REASONS).default('unspecified') });

/** Registers /signing-certificates routes on an admin-authenticated plugin scope. */
export function adminSigningCertificateRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { keyring } = ctx.tenant;

  app.get('/signing-certificates', async () => ({ signingCertificates: await keyring.list(ctx.now()) }));

  app.post('/signing-certificates', async (request, reply) => {
    const now = ctx.now();
    const serialNumber = await keyring.rotate(now);
    await recordAudit(ctx.db, { actor: adminActor(request), action: 'signing_certificate.rotate', target: `signing-certificate:${serialNumber}`, details: {} }, now);
    return reply.code(201).send({ serialNumber });
  });

  app.post('/signing-certificates/:serial/revoke', async (request) => {
    const { serial } = parseInput(SerialParamsSchema, request.params, 'serial');
    const { reason } = parseInput(RevokeBodySchema, request.body ?? {}, 'body');
    const now = ctx.now();
    const revoked = await keyring.revoke(serial, reason, now);
    if (revoked === null) throw notFound(`There is no unrevoked signing certificate ${serial}.`);
    await recordAudit(
      ctx.db,
      { actor: adminActor(request), action: 'signing_certificate.revoke', target: `signing-certificate:${normalizeSerial(serial)}`, details: { reason, replacedBy: revoked.replacedBy } },
      now,
    );
    return { serialNumber: normalizeSerial(serial), reason, replacedBy: revoked.replacedBy };
  });
}
