// Admin API: the tenant's ticket-signing certificates — list, rotate (new one in use at once), revoke (published to agents in the CRL).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { adminActor } from '../admin-api/admin-auth';
import { addAdminRoute, defineAdminRoute } from '../admin-api/admin-route';
import { recordAudit } from '../audit/audit-log';
import { notFound } from '../app/http-errors';
import type { ServerContext } from '../app/server-context';
import { REVOCATION_REASONS } from './signing-certificates';
import { normalizeSerial } from './tenant-pki';

export const SIGNING_CERTIFICATE_ROUTES = {
  list: defineAdminRoute({
    method: 'GET',
    path: '/signing-certificates',
    operation: 'signing-certificates.list',
    summary: 'List the tenant signing certificates with their state (in use, revoked, expired).',
  }),
  rotate: defineAdminRoute({
    method: 'POST',
    path: '/signing-certificates',
    operation: 'signing-certificates.rotate',
    summary: 'Issue a new signing certificate and sign every ticket with it from now on; devices keep their pinned root.',
    successStatus: 201,
  }),
  revoke: defineAdminRoute({
    method: 'POST',
    path: '/signing-certificates/:serial/revoke',
    operation: 'signing-certificates.revoke',
    summary: 'Revoke a signing certificate (a replacement is issued first if it is in use); agents learn of it from the CRL.',
    params: z.object({ serial: z.string().regex(/^[0-9a-fA-F]{1,40}$/, 'a serial number is hex') }),
    body: z.strictObject({ reason: z.enum(REVOCATION_REASONS).default('unspecified') }),
  }),
};

/** Registers /signing-certificates routes on an admin-authenticated plugin scope. */
export function adminSigningCertificateRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { keyring } = ctx.tenant;

  addAdminRoute(app, SIGNING_CERTIFICATE_ROUTES.list, async () => ({ signingCertificates: await keyring.list(ctx.now()) }));

  addAdminRoute(app, SIGNING_CERTIFICATE_ROUTES.rotate, async ({ request }) => {
    const now = ctx.now();
    const serialNumber = await keyring.rotate(now);
    await recordAudit(ctx.db, { at: now, actor: adminActor(request), action: 'signing_certificate.rotate', target: `signing-certificate:${serialNumber}`, details: {} });
    return { serialNumber };
  });

  addAdminRoute(app, SIGNING_CERTIFICATE_ROUTES.revoke, async ({ params, body, request }) => {
    const now = ctx.now();
    const revoked = await keyring.revoke(params.serial, body.reason, now);
    if (revoked === null) throw notFound(`There is no unrevoked signing certificate ${params.serial}.`);
    const serialNumber = normalizeSerial(params.serial);
    await recordAudit(ctx.db, {
      at: now,
      actor: adminActor(request),
      action: 'signing_certificate.revoke',
      target: `signing-certificate:${serialNumber}`,
      details: { reason: body.reason, replacedBy: revoked.replacedBy },
    });
    return { serialNumber, reason: body.reason, replacedBy: revoked.replacedBy };
  });
}
