// Agent configurations in the database: their table type and every query the agent configuration routes make.
import { containsIgnoringCase } from '../admin-api/admin-route';
import type { Db } from '../db/database';
import { paginate, type Page } from '../db/paginate';

export interface AgentConfigurationsTable {
  id: string;
  tenant_id: string;
  name: string;
  description: string | null;
  is_system_default: number;
  settings: string;
  distribution: string;
  version: number;
  created_at: string;
  updated_at: string;
}

export async function listAgentConfigurations(db: Db, tenantId: string, q: string | undefined, page: { limit: number; offset: number }): Promise<{ rows: AgentConfigurationsTable[]; page: Page }> {
  let base = db.selectFrom('agent_configurations').where('tenant_id', '=', tenantId);
  if (q !== undefined) base = base.where(containsIgnoringCase('name', q));
  return paginate(base.selectAll().orderBy('created_at').orderBy('id'), page);
}

export function agentConfigurationById(db: Db, tenantId: string, id: string): Promise<AgentConfigurationsTable | undefined> {
  return db.selectFrom('agent_configurations').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId).executeTakeFirst();
}

export async function insertAgentConfiguration(db: Db, row: AgentConfigurationsTable): Promise<void> {
  await db.insertInto('agent_configurations').values(row).execute();
}

/** Writes a changed configuration, guarded by the version it was read at: false when another change came first. */
export async function updateAgentConfiguration(db: Db, before: AgentConfigurationsTable, after: AgentConfigurationsTable): Promise<boolean> {
  const updated = await db
    .updateTable('agent_configurations')
    .set({ name: after.name, description: after.description, settings: after.settings, distribution: after.distribution, version: after.version, updated_at: after.updated_at })
    .where('id', '=', before.id)
    .where('version', '=', before.version)
    .executeTakeFirst();
  return updated.numUpdatedRows === 1n;
}

export async function deleteAgentConfiguration(db: Db, id: string): Promise<void> {
  await db.deleteFrom('agent_configurations').where('id', '=', id).execute();
}
