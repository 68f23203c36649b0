// Migration 0015_devices_without_users (issue 12): an enrollment token may name no user, and enrolls devices that have none (a lab or shared Mac, or one whose user comes later).
import { SqliteAdapter, type Kysely, type Migration } from 'kysely';
import { rebuildSqliteTables } from '../sqlite-table-rebuild';

export const devicesWithoutUsers: Migration = {
  async up(db: Kysely<unknown>) {
    if (db.getExecutor().adapter instanceof SqliteAdapter) {
      // SQLite cannot drop NOT NULL in place. enrollment_tokens first: devices references it.
      await rebuildSqliteTables(db, [
        { table: 'enrollment_tokens', from: '"user_id" text not null references "users" ("id")', to: '"user_id" text references "users" ("id")' },
        { table: 'devices', from: '"user_id" text not null references "users" ("id")', to: '"user_id" text references "users" ("id")' },
      ]);
      return;
    }
    await db.schema.alterTable('enrollment_tokens').alterColumn('user_id', (c) => c.dropNotNull()).execute();
    await db.schema.alterTable('devices').alterColumn('user_id', (c) => c.dropNotNull()).execute();
  },
};
