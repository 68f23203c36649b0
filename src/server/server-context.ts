// What every route module needs: the database, the tenant it serves and the clock.
import type { Db } from './database';
import type { Tenant } from './tenant-setup';

export interface ServerContext {
  db: Db;
  tenant: Tenant;
  now: () => Date;
}
