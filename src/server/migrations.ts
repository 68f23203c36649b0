// Schema migrations, in code and written with Kysely's schema builder so the same steps run on SQLite and PostgreSQL.
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Db } from './database';

// `bytea` is PostgreSQL's binary type; SQLite gives the column NUMERIC affinity, which stores Buffers unchanged as BLOBs.
const BINARY = 'bytea';

const initialSchema: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('tenants')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('root_certificate_pem', 'text', (c) => c.notNull())
      .addColumn('signing_certificate_pem', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('admin_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('token_sha256', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
      .addColumn('username', 'text', (c) => c.notNull())
      .addColumn('display_name', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('users_tenant_username_unique', ['tenant_id', 'username'])
      .execute();

    await db.schema
      .createTable('registration_pins')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('pin_hash', 'text', (c) => c.notNull())
      .addColumn('pin_salt', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('used_at', 'text')
      .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('registration_pins_user').on('registration_pins').column('user_id').execute();

    await db.schema
      .createTable('devices')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('public_jwk', 'text', (c) => c.notNull())
      .addColumn('facts', 'text', (c) => c.notNull())
      .addColumn('enrolled_at', 'text', (c) => c.notNull())
      .addColumn('last_checkin_at', 'text')
      .addColumn('agent_version', 'text')
      .addColumn('os_version', 'text')
      .addColumn('checkin_seq', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();

    await db.schema
      .createTable('blobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('bytes', BINARY, (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('size', 'integer', (c) => c.notNull())
      .addColumn('content_key', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('scripts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('run_as_root', 'integer', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('latest_version', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('script_versions')
      .addColumn('script_id', 'text', (c) => c.notNull().references('scripts.id'))
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('blob_id', 'text', (c) => c.notNull().references('blobs.id'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('script_versions_pk', ['script_id', 'version'])
      .execute();

    await db.schema
      .createTable('agent_configurations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('is_system_default', 'integer', (c) => c.notNull())
      .addColumn('settings', 'text', (c) => c.notNull())
      .addColumn('distribution', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('script_configurations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('script_id', 'text', (c) => c.notNull().references('scripts.id'))
      .addColumn('script_version', 'integer', (c) => c.notNull())
      .addColumn('schedule', 'text', (c) => c.notNull())
      .addColumn('variables', 'text', (c) => c.notNull())
      .addColumn('distribution', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('script_results')
      .addColumn('execution_id', 'text', (c) => c.primaryKey())
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
      .addColumn('configuration_id', 'text', (c) => c.notNull().references('script_configurations.id'))
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('ended_at', 'text', (c) => c.notNull())
      .addColumn('result', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('script_results_device_ended').on('script_results').columns(['device_id', 'ended_at']).execute();

    await db.schema
      .createTable('device_events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('received_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('device_events_device_at').on('device_events').columns(['device_id', 'at']).execute();

    await db.schema
      .createTable('audit_log')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('details', 'text', (c) => c.notNull())
      .execute();
  },
};

// Issue 4: tenant private keys sealed under the master key (never in the clear), rotatable signing certificates and the tenant CRL.
const tenantKeyring: Migration = {
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

// Issue 6: groups, versioned script details and inputs, custom attributes, installed apps, scoped and revocable admin tokens.
const fleetAdministration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('admin_tokens').addColumn('name', 'text', (c) => c.notNull().defaultTo('initial admin token')).execute();
    await db.schema.alterTable('admin_tokens').addColumn('scope', 'text', (c) => c.notNull().defaultTo('admin')).execute();
    await db.schema.alterTable('admin_tokens').addColumn('revoked_at', 'text').execute();

    await db.schema.alterTable('scripts').addColumn('inputs', 'text', (c) => c.notNull().defaultTo('[]')).execute();
    await db.schema.alterTable('scripts').addColumn('attribute', 'text').execute();
    // Each version keeps what ran: type, run-as-root and inputs, copied from the script for versions made before this.
    await db.schema.alterTable('script_versions').addColumn('type', 'text').execute();
    await db.schema.alterTable('script_versions').addColumn('run_as_root', 'integer').execute();
    await db.schema.alterTable('script_versions').addColumn('inputs', 'text', (c) => c.notNull().defaultTo('[]')).execute();
    await sql`update script_versions set type = (select s.type from scripts s where s.id = script_versions.script_id), run_as_root = (select s.run_as_root from scripts s where s.id = script_versions.script_id)`.execute(db);

    await db.schema.alterTable('script_configurations').addColumn('inputs', 'text', (c) => c.notNull().defaultTo('{}')).execute();
    await db.schema.alterTable('script_configurations').addColumn('description', 'text').execute();

    for (const kind of ['user', 'device'] as const) {
      await db.schema
        .createTable(`${kind}_groups`)
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint(`${kind}_groups_tenant_name_unique`, ['tenant_id', 'name'])
        .execute();
      await db.schema
        .createTable(`${kind}_group_members`)
        .addColumn('group_id', 'text', (c) => c.notNull().references(`${kind}_groups.id`))
        .addColumn(`${kind}_id`, 'text', (c) => c.notNull().references(`${kind}s.id`))
        .addColumn('added_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint(`${kind}_group_members_pk`, ['group_id', `${kind}_id`])
        .execute();
      await db.schema.createIndex(`${kind}_group_members_member`).on(`${kind}_group_members`).column(`${kind}_id`).execute();
    }

    await db.schema
      .createTable('device_attributes')
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('execution_id', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('device_attributes_pk', ['device_id', 'name'])
      .execute();

    await db.schema
      .createTable('device_apps')
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
      .addColumn('bundle_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('version', 'text')
      .addColumn('reported_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('device_apps_pk', ['device_id', 'bundle_id'])
      .execute();

    await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
    await db.schema.createIndex('audit_log_target').on('audit_log').columns(['target', 'at']).execute();
    await db.schema.createIndex('devices_tenant_enrolled').on('devices').columns(['tenant_id', 'enrolled_at']).execute();
  },
};

// Issue 9: the encoding of each result's output, and which configuration versions each device was given a ticket for.
const deviceTicketsAndOutputEncoding: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('script_results').addColumn('stdout_encoding', 'text', (c) => c.notNull().defaultTo('utf8')).execute();
    await db.schema.alterTable('script_results').addColumn('stderr_encoding', 'text', (c) => c.notNull().defaultTo('utf8')).execute();
    await db.schema
      .createTable('device_tickets')
      .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
      .addColumn('configuration_id', 'text', (c) => c.notNull().references('script_configurations.id'))
      .addColumn('configuration_version', 'integer', (c) => c.notNull())
      .addColumn('script_id', 'text', (c) => c.notNull())
      .addColumn('script_version', 'integer', (c) => c.notNull())
      .addColumn('first_issued_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('device_tickets_pk', ['device_id', 'configuration_id', 'configuration_version'])
      .execute();
    await db.schema.createIndex('device_tickets_configuration').on('device_tickets').column('configuration_id').execute();
  },
};

const MIGRATIONS: Record<string, Migration> = {
  '0001_initial_schema': initialSchema,
  '0002_tenant_keyring': tenantKeyring,
  '0010_fleet_administration': fleetAdministration,
  '0011_device_tickets_and_output_encoding': deviceTicketsAndOutputEncoding,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/** Brings the database schema up to date; throws with the failing migration's name when one fails. */
export async function migrateToLatest(db: Db): Promise<void> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
