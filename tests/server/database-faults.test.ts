// Which database errors are the database's fault and which are a change that lost a race: a foreign key that no
// longer holds (the row it names was deleted by another request since it was checked) is a 409, not a 500, and does
// not make the server think its database is down.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { classifyDatabaseError, faultHttpError } from '../../src/server/db/database-faults';

/** A real better-sqlite3 foreign key violation: a device naming a user that is not there. */
function sqliteForeignKeyError(): unknown {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  db.exec('create table users (id text primary key); create table devices (id text primary key, user_id text references users (id))');
  try {
    db.prepare("insert into devices (id, user_id) values ('d1', 'gone')").run();
  } catch (error) {
    return error;
  } finally {
    db.close();
  }
  throw new Error('the insert should have been refused');
}

describe('database errors', () => {
  it('answers a foreign key that no longer holds with a 409 in one sentence, on SQLite and PostgreSQL', () => {
    const postgres = Object.assign(new Error('insert or update on table "devices" violates foreign key constraint "devices_user_id_fkey"'), { code: '23503' });
    for (const error of [sqliteForeignKeyError(), postgres]) {
      const fault = classifyDatabaseError(error);
      expect(fault?.kind).toBe('changed_meanwhile');
      expect(faultHttpError(fault!)).toMatchObject({ statusCode: 409, code: 'conflict', message: 'Something this change refers to was removed by another change at the same time; reload and try again.' });
    }
  });

  it('leaves other constraint errors to the code that made them (a unique key is a bug or the caller\'s to name)', () => {
    expect(classifyDatabaseError(Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }))).toBeNull();
    expect(classifyDatabaseError(Object.assign(new Error('UNIQUE constraint failed: users.username'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }))).toBeNull();
  });
});
