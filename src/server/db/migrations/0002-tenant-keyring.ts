// Migration 0002_tenant_keyring (issue 4): tenant private keys sealed under the master key (never in the clear), rotatable signing certificates and the tenant CRL.
import type { Kysely, Migration } from 'kysely';

export const tenantKeyring: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('tenants').addColumn('root_private_key_sealed', 'text').execute();
    await db.schema.alterTable('tenants').addColumn('crl_number', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('tenants').addColumn('crl', 'text').execute();
    await db.schema.alterTable('tenants').addColumn('crl_issued_at', 'text').execute();

    await db.schema
      .createTable('signing_certificates')
      .addColumn('serial_number', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
      .addColumn('certificate_pem', 'text', (c) => c.notNull())
      .addColumn('private_key_sealed', 'text', (c) => c.notNull())
      .addColumn('not_before', 'text', (c) => c.notNull())
      .addColumn('not_after', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .addColumn('revocation_reason', 'text')
      .execute();
    await db.schema.createIndex('signing_certificates_tenant_created').on('signing_certificates').columns(['tenant_id', 'created_at']).execute();
  },
};
