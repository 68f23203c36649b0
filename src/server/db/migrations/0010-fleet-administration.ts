// Migration 0010_fleet_administration (issue 6): groups, versioned script details and inputs, custom attributes, installed apps, scoped and revocable admin tokens.
import { sql, type Kysely, type Migration } from 'kysely';

export const fleetAdministration: Migration = {
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
