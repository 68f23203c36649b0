// Migration 0011_device_tickets_and_output_encoding (issue 9): the encoding of each result's output, and which configuration versions each device was given a ticket for.
import type { Kysely, Migration } from 'kysely';

export const deviceTicketsAndOutputEncoding: Migration = {
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
