// What every route module needs: the database, the tenant it serves and the clock.
import type { Db } from '../db/database';
import type { Tenant } from '../pki/tenant-setup';

export interface ServerContext {
  db: Db;
  tenant: Tenant;
  now: () => Date;
}
