// Migration 0015 on both databases: a database at 0014 holding devices and rows that reference them keeps its data, indexes and foreign keys, with user_id nullable.
import { Migrator, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database, type Db } from '../../src/server/db/database';
import { MIGRATIONS, migrateToLatest } from '../../src/server/db/migrations';
import { rebuildSqliteTables } from '../../src/server/db/sqlite-table-rebuild';
import { BACKENDS, createTestDatabase, type Backend, type TestDatabase } from '../support/test-databases';
import { makeTempDir, removeDir } from './server-fixture';

const AT = '2026-11-01T00:00:00.000Z';
const REFERENCING_DEVICES = ['script_results', 'device_events', 'device_attributes', 'device_apps', 'device_group_members', 'device_tickets', 'app_install_reports'] as const;
const TABLES = ['tenants', 'users', 'enrollment_tokens', 'devices', 'scripts', 'script_versions', 'script_configurations', 'device_groups', 'apps', 'app_reviews', ...REFERENCING_DEVICES] as const;

/** What 0014 left: a PIN device and a token device of one user, and a row of every table that references devices. */
async function seedAt0014(db: Db): Promise<void> {
  await db.insertInto('tenants').values({ id: 'tn', name: 'T', root_certificate_pem: 'x', signing_certificate_pem: 'x', created_at: AT, root_private_key_sealed: null, crl: null, crl_issued_at: null }).execute();
  await db.insertInto('users').values({ id: 'u1', tenant_id: 'tn', username: 'alice', display_name: 'Alice', created_at: AT }).execute();
  await db.insertInto('enrollment_tokens').values({ id: 'tok', tenant_id: 'tn', name: 'ADE', user_id: 'u1', token_hash: 'h', expires_at: AT, revoked_at: null, created_at: AT }).execute();
  const device = { tenant_id: 'tn', user_id: 'u1', status: 'active' as const, public_jwk: '{}', facts: '{}', enrolled_at: AT, last_checkin_at: AT, agent_version: '0.4.0', os_version: '15.2' };
  await db.insertInto('devices').values({ ...device, id: 'd1', name: 'PIN Mac', checkin_seq: 3 }).execute();
  await db.insertInto('devices').values({ ...device, id: 'd2', name: 'Token Mac', enrollment_method: 'automated', enrollment_token_id: 'tok' }).execute();
  await db.insertInto('blobs').values({ id: 'b1', bytes: Buffer.from([0, 1, 2, 255]), sha256: 's', size: 4, content_key: 'k', created_at: AT }).execute();
  await db.insertInto('scripts').values({ id: 's1', tenant_id: 'tn', name: 'S', type: 'bash', run_as_root: 0, description: null, latest_version: 1, created_at: AT, updated_at: AT, inputs: '[]', attribute: null }).execute();
  await db.insertInto('script_versions').values({ script_id: 's1', version: 1, blob_id: 'b1', created_at: AT, type: 'bash', run_as_root: 0, inputs: '[]' }).execute();
  await db
    .insertInto('script_configurations')
    .values({ id: 'c1', tenant_id: 'tn', name: 'C', script_id: 's1', script_version: 1, schedule: '{}', variables: '{}', distribution: '{"kind":"everyone"}', version: 1, created_at: AT, updated_at: AT, inputs: '{}', description: null })
    .execute();
  await db.insertInto('script_results').values({ execution_id: 'x1', device_id: 'd1', configuration_id: 'c1', status: 'succeeded', ended_at: AT, result: '{}', received_at: AT }).execute();
  await db.insertInto('device_events').values({ id: 'e1', device_id: 'd1', type: 'onboarding', at: AT, event: '{}', received_at: AT }).execute();
  await db.insertInto('device_attributes').values({ device_id: 'd1', name: 'Battery', value: 'Normal', execution_id: 'x1', updated_at: AT }).execute();
  await db.insertInto('device_apps').values({ device_id: 'd2', bundle_id: 'com.example.a', name: 'A', version: '1', reported_at: AT }).execute();
  await db.insertInto('device_groups').values({ id: 'g1', tenant_id: 'tn', name: 'Lab', description: null, created_at: AT, updated_at: AT }).execute();
  await db.insertInto('device_group_members').values({ group_id: 'g1', device_id: 'd2', added_at: AT }).execute();
  await db.insertInto('device_tickets').values({ device_id: 'd1', configuration_id: 'c1', configuration_version: 1, script_id: 's1', script_version: 1, first_issued_at: AT }).execute();
  const app = { id: 'a1', tenant_id: 'tn', name: 'A', bundle_id: 'com.example.a', version: '1', publisher: 'P', category: 'C', short_description: '', description: '', type: 'pkg' };
  await db.insertInto('apps').values({ ...app, priority: 'normal', featured: 0, silent_install: 0, remove_on_unenrollment: 0, distribution: '{}', icon_sha256: null, package_sha256: null, package_size: null, created_at: AT, updated_at: AT }).execute();
  await db.insertInto('app_install_reports').values({ device_id: 'd2', app_id: 'a1', state: 'installed', version: '1', at: AT, message: null, received_at: AT }).execute();
  await db.insertInto('app_reviews').values({ id: 'r1', app_id: 'a1', user_id: 'u1', rating: 5, title: 't', text: 'x', hidden: 0, created_at: AT, updated_at: AT }).execute();
}

async function rowsOf(db: Db): Promise<Record<string, unknown[]>> {
  const rows: Record<string, unknown[]> = {};
  for (const table of TABLES) rows[table] = (await sql`select * from ${sql.table(table)}`.execute(db)).rows.map((r) => JSON.stringify(r)).sort();
  return rows;
}

/** Tables, indexes and constraints as the database describes them; on SQLite, the CREATE statements hold the foreign keys. */
async function schemaOf(db: Db, backend: Backend): Promise<unknown[]> {
  if (backend === 'sqlite') {
    return (await sql`select type, name, tbl_name, sql from sqlite_master where name not like 'kysely_%' order by type, name`.execute(db)).rows;
  }
  const indexes = await sql`select tablename, indexname, indexdef from pg_indexes where schemaname = 'public' and tablename not like 'kysely_%' order by indexname`.execute(db);
  const constraints = await sql`select conname, conrelid::regclass::text as on_table, pg_get_constraintdef(oid) as definition from pg_constraint where connamespace = 'public'::regnamespace order by conname`.execute(db);
  const columns = await sql`select table_name, column_name, data_type, is_nullable, column_default from information_schema.columns where table_schema = 'public' order by table_name, column_name`.execute(db);
  return [...indexes.rows, ...constraints.rows, ...columns.rows];
}

/** The schema 0015 should leave: the one before with NOT NULL gone from the user_id of devices and enrollment_tokens. */
function withNullableUserIds(schema: unknown[], backend: Backend): unknown[] {
  return schema.map((entry) => {
    const e = entry as Record<string, unknown>;
    if (backend === 'sqlite' && e.type === 'table' && (e.name === 'devices' || e.name === 'enrollment_tokens')) {
      return { ...e, sql: String(e.sql).replace('"user_id" text not null references', '"user_id" text references') };
    }
    if (backend === 'postgres' && e.column_name === 'user_id' && (e.table_name === 'devices' || e.table_name === 'enrollment_tokens')) return { ...e, is_nullable: 'YES' };
    return e;
  });
}

describe.each(BACKENDS)('migration 0015 on %s', (backend) => {
  let root: string;
  let database: TestDatabase;
  let db: Db;
  beforeEach(async () => {
    root = await makeTempDir();
    database = await createTestDatabase(backend);
    db = openDatabase({ dataDir: root, databaseUrl: database.databaseUrl });
    const { error } = await new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } }).migrateTo('0014_enrollment_tokens');
    expect(error).toBeUndefined();
    await seedAt0014(db);
  });
  afterEach(async () => {
    await db.destroy();
    await database.drop();
    await removeDir(root);
  });

  it('keeps every row, index and foreign key, and makes user_id of devices and enrollment tokens nullable', async () => {
    const rowsBefore = await rowsOf(db);
    const schemaBefore = await schemaOf(db, backend);
    // To 0015 exactly: later migrations (0016's inventory columns) change the schema on their own.
    expect((await new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } }).migrateTo('0015_devices_without_users')).error).toBeUndefined();
    expect(await rowsOf(db)).toEqual(rowsBefore);
    const schemaAfter = await schemaOf(db, backend);
    expect(schemaAfter).not.toEqual(schemaBefore);
    expect(schemaAfter).toEqual(withNullableUserIds(schemaBefore, backend));
    if (backend === 'sqlite') {
      expect((await sql`pragma foreign_key_check`.execute(db)).rows).toEqual([]);
      expect((await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db)).rows).toEqual([{ foreign_keys: 1 }]);
      expect(schemaAfter.map((e) => (e as { name: string }).name)).toEqual(expect.arrayContaining(['sqlite_autoindex_devices_1', 'sqlite_autoindex_enrollment_tokens_2', 'devices_enrollment_token', 'devices_tenant_enrolled', 'enrollment_tokens_user']));
    }
  });

  it('still enforces the foreign keys from and to devices and enrollment tokens, and takes a device and a token without a user', async () => {
    await migrateToLatest(db);
    // No cascades anywhere: a referenced row cannot go while rows reference it.
    await expect(db.deleteFrom('devices').where('id', '=', 'd1').execute()).rejects.toThrow(/foreign key/i);
    await expect(db.deleteFrom('enrollment_tokens').where('id', '=', 'tok').execute()).rejects.toThrow(/foreign key/i);
    await expect(db.deleteFrom('users').where('id', '=', 'u1').execute()).rejects.toThrow(/foreign key/i);
    await expect(db.insertInto('device_events').values({ id: 'e2', device_id: 'no-such-device', type: 't', at: AT, event: '{}', received_at: AT }).execute()).rejects.toThrow(/foreign key/i);
    const device = { tenant_id: 'tn', status: 'active' as const, public_jwk: '{}', facts: '{}', enrolled_at: AT, last_checkin_at: null, agent_version: null, os_version: null };
    await expect(db.insertInto('devices').values({ ...device, id: 'd3', name: 'Ghost', user_id: 'no-such-user' }).execute()).rejects.toThrow(/foreign key/i);
    await expect(db.insertInto('devices').values({ ...device, id: 'd3', name: 'Ghost', user_id: 'u1', enrollment_token_id: 'no-such-token' }).execute()).rejects.toThrow(/foreign key/i);

    await db.insertInto('enrollment_tokens').values({ id: 'lab', tenant_id: 'tn', name: 'Lab', user_id: null, token_hash: 'h2', expires_at: AT, revoked_at: null, created_at: AT }).execute();
    await db.insertInto('devices').values({ ...device, id: 'd3', name: 'Lab Mac', user_id: null, enrollment_method: 'automated', enrollment_token_id: 'lab' }).execute();
    expect(await db.selectFrom('devices').select(['id', 'user_id', 'enrollment_token_id']).where('id', '=', 'd3').execute()).toEqual([{ id: 'd3', user_id: null, enrollment_token_id: 'lab' }]);
    // The unique token hash is still unique; a device deleted with its rows first still goes.
    await expect(db.insertInto('enrollment_tokens').values({ id: 'dup', tenant_id: 'tn', name: 'Dup', user_id: null, token_hash: 'h2', expires_at: AT, revoked_at: null, created_at: AT }).execute()).rejects.toThrow(/unique/i);
    for (const table of REFERENCING_DEVICES) await db.deleteFrom(table).where('device_id', '=', 'd1').execute();
    await db.deleteFrom('devices').where('id', '=', 'd1').execute();
    expect((await db.selectFrom('devices').select('id').orderBy('id').execute()).map((d) => d.id)).toEqual(['d2', 'd3']);
  });
});

describe('rebuilding SQLite tables', () => {
  let root: string;
  let db: Db;
  beforeEach(async () => {
    root = await makeTempDir();
    db = openDatabase({ dataDir: root });
    await migrateToLatest(db);
  });
  afterEach(async () => {
    await db.destroy();
    await removeDir(root);
  });

  it('refuses to run inside a transaction, where foreign keys cannot be turned off', async () => {
    await expect(db.transaction().execute((trx) => rebuildSqliteTables<Database>(trx, [{ table: 'devices', from: '"name" text not null', to: '"name" text' }]))).rejects.toThrow(
      'foreign keys cannot be turned off inside a transaction; rebuild the tables outside one',
    );
  });

  it('changes nothing when a column definition is not found, and turns foreign keys back on', async () => {
    const before = (await sql`select sql from sqlite_master order by name`.execute(db)).rows;
    await expect(rebuildSqliteTables(db, [{ table: 'users', from: '"display_name" text', to: '"display_name" text not null default \'\'' }, { table: 'devices', from: '"nope" text', to: '"nope" int' }])).rejects.toThrow(
      'table devices does not define "nope" text exactly once',
    );
    expect((await sql`select sql from sqlite_master order by name`.execute(db)).rows).toEqual(before);
    expect((await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db)).rows).toEqual([{ foreign_keys: 1 }]);
  });
});
