// Vitest global setup: one throwaway PostgreSQL cluster for the whole run, so server tests run on SQLite and PostgreSQL.
import type { TestProject } from 'vitest/node';
import { startPostgresCluster } from '../../scripts/throwaway-postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const existing = process.env.ATWORK_TEST_POSTGRES_URL;
  if (existing) {
    project.provide('postgresUrl', existing);
    return undefined;
  }
  const cluster = await startPostgresCluster();
  project.provide('postgresUrl', cluster.url);
  return () => cluster.stop();
}
