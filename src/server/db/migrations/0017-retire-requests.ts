// Migration 0017_retire_requests (issue 13): an admin's retire request waits for the agent's confirmation (status retire_pending), and a retired device keeps when.
import type { Kysely, Migration } from 'kysely';

export const retireRequests: Migration = {
  async up(db: Kysely<unknown>) {
    // status stays free text; the zod enums and the queries name its values (active, retire_pending, retired).
    await db.schema.alterTable('devices').addColumn('retire_requested_at', 'text').execute();
    // The id of the retire command the device's check-ins carry until it confirms: one per request.
    await db.schema.alterTable('devices').addColumn('retire_command_id', 'text').execute();
    // Null for devices retired before 0017: when is not known.
    await db.schema.alterTable('devices').addColumn('retired_at', 'text').execute();
  },
};
