// The databases server tests run on: the embedded SQLite default and a fresh PostgreSQL database per test server.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export type Backend = 'sqlite' | 'postgres';
export const BACKENDS: Backend[] = ['sqlite', 'postgres'];

export interface TestDatabase {
  /** Undefined for SQLite (the server uses its data folder). */
  databaseUrl: string | undefined;
  drop(): Promise<void>;
}

async function onCluster<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('postgresUrl') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new empty database on the run's PostgreSQL cluster, or nothing for SQLite. */
export async function createTestDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === 'sqlite') return { databaseUrl: undefined, drop: async () => undefined };
  const name = `atwork_${randomUUID().replaceAll('-', '')}`;
  await onCluster((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(inject('postgresUrl'));
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
    drop: () => onCluster((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
