// Migration 0014_enrollment_tokens (issue 12): multi-use tokens that enroll devices without a person at the Mac, and how each device was enrolled.
import type { Kysely, Migration } from 'kysely';

export const enrollmentTokens: Migration = {
  async up(db: Kysely<unknown>) {
    // Every token enrolls to one user here; 0015 lets a token, and the devices it enrolls, have none.
    await db.schema
      .createTable('enrollment_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      // sha256 hex of the token; the token itself is shown once and never stored.
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('enrollment_tokens_tenant_created').on('enrollment_tokens').columns(['tenant_id', 'created_at']).execute();
    await db.schema.createIndex('enrollment_tokens_user').on('enrollment_tokens').column('user_id').execute();

    // Devices enrolled before this migration were all enrolled with a PIN.
    await db.schema.alterTable('devices').addColumn('enrollment_method', 'text', (c) => c.notNull().defaultTo('pin')).execute();
    await db.schema.alterTable('devices').addColumn('enrollment_token_id', 'text', (c) => c.references('enrollment_tokens.id')).execute();
    await db.schema.createIndex('devices_enrollment_token').on('devices').column('enrollment_token_id').execute();
  },
};
