// The embedded SQLite database (<dataDir>/atwork.db): WAL, foreign keys, and transactions that keep the error that ended them.
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';
import type { Database } from './database';

/**
 * SQLite rolls a transaction back by itself when a statement fails with SQLITE_FULL, SQLITE_IOERR, SQLITE_BUSY and a
 * few more; Kysely's rollback then fails with "cannot rollback - no transaction is active" and that error replaces the
 * one that matters (a full disk became a bare 500, issue 9). Roll back only what is still open.
 */
class SqliteDriverKeepingTheCause extends SqliteDriver {
  constructor(
    config: SqliteDialectConfig,
    private readonly sqlite: SqliteDatabase.Database,
  ) {
    super(config);
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.sqlite.inTransaction) await super.rollbackTransaction(connection);
  }
}

class SqliteDialectKeepingTheCause extends SqliteDialect {
  constructor(private readonly sqlite: SqliteDatabase.Database) {
    super({ database: sqlite });
  }

  override createDriver(): Driver {
    return new SqliteDriverKeepingTheCause({ database: this.sqlite }, this.sqlite);
  }
}

/** Opens (creating when missing) the data folder's SQLite file; an unusable file is one sentence saying so. */
export function openSqliteDatabase(dataDir: string): Kysely<Database> {
  const file = path.join(dataDir, 'atwork.db');
  let sqlite: SqliteDatabase.Database;
  try {
    sqlite = new SqliteDatabase(file);
    // WAL lets readers continue while a check-in writes; foreign keys are off by default in SQLite.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
  } catch (error) {
    throw new Error(`The database ${file} cannot be opened (${(error as Error).message}); check that the data folder is writable and has space, or restore the file from backup.`);
  }
  return new Kysely<Database>({ dialect: new SqliteDialectKeepingTheCause(sqlite) });
}
