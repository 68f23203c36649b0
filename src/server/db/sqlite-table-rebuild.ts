// SQLite's way to change a column it cannot ALTER (e.g. drop NOT NULL): rebuild the table, keeping its rows, indexes, triggers and every foreign key to and from it.
import { sql, type Kysely } from 'kysely';

/** One table to rebuild, with one column definition exactly as its CREATE TABLE holds it and what it becomes. */
export interface SqliteColumnChange {
  table: string;
  from: string;
  to: string;
}

interface SchemaEntry {
  type: string;
  name: string;
  sql: string | null;
}

async function schemaOf<DB>(db: Kysely<DB>, table: string): Promise<SchemaEntry[]> {
  const { rows } = await sql<SchemaEntry>`select type, name, sql from sqlite_master where tbl_name = ${table}`.execute(db);
  return rows;
}

async function rebuildTable<DB>(db: Kysely<DB>, change: SqliteColumnChange): Promise<void> {
  const entries = await schemaOf(db, change.table);
  const created = entries.find((e) => e.type === 'table')?.sql;
  if (created === undefined || created === null) throw new Error(`table ${change.table} does not exist`);
  if (created.split(change.from).length !== 2) throw new Error(`table ${change.table} does not define ${change.from} exactly once`);
  const header = `CREATE TABLE "${change.table}" (`;
  if (!created.startsWith(header)) throw new Error(`table ${change.table} was not created as ${header}...`);

  const rebuilt = `${change.table}_rebuilt`;
  const { rows: columns } = await sql<{ name: string }>`select name from pragma_table_info(${change.table})`.execute(db);
  const columnList = sql.join(columns.map((c) => sql.id(c.name)));
  await sql.raw(`CREATE TABLE "${rebuilt}" (${created.slice(header.length).replace(change.from, () => change.to)}`).execute(db);
  await sql`insert into ${sql.table(rebuilt)} (${columnList}) select ${columnList} from ${sql.table(change.table)}`.execute(db);
  await sql`drop table ${sql.table(change.table)}`.execute(db);
  // Foreign keys of other tables name the table, not its storage: after the rename they point at the rebuilt one.
  await sql`alter table ${sql.table(rebuilt)} rename to ${sql.table(change.table)}`.execute(db);
  // Automatic indexes (primary key, unique) came back with the table; the created ones and triggers are made again.
  for (const entry of entries) {
    if ((entry.type === 'index' || entry.type === 'trigger') && entry.sql !== null) await sql.raw(entry.sql).execute(db);
  }
}

/**
 * Rebuilds tables following SQLite's documented procedure (https://www.sqlite.org/lang_altertable.html#otheralter).
 *
 * Foreign keys are off while the tables are dropped and made again (dropping a referenced table would otherwise fail,
 * or delete the rows that reference it), then checked as a whole before the one transaction commits. The pragma has no
 * effect inside a transaction, so this must run outside one: on SQLite, Kysely's Migrator runs migrations so.
 */
export async function rebuildSqliteTables<DB>(db: Kysely<DB>, changes: SqliteColumnChange[]): Promise<void> {
  const foreignKeys = async () => (await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db)).rows[0]?.foreign_keys ?? 0;
  const enforced = await foreignKeys();
  await sql`pragma foreign_keys = off`.execute(db);
  try {
    if ((await foreignKeys()) !== 0) throw new Error('foreign keys cannot be turned off inside a transaction; rebuild the tables outside one');
    await db.transaction().execute(async (trx) => {
      for (const change of changes) await rebuildTable(trx, change);
      const violations = await sql<{ table: string; parent: string }>`pragma foreign_key_check`.execute(trx);
      const first = violations.rows[0];
      if (first !== undefined) throw new Error(`rebuilding left a row of ${first.table} without its ${first.parent} row`);
    });
  } finally {
    if (enforced !== 0) await sql`pragma foreign_keys = on`.execute(db);
  }
}
