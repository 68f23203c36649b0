// Script configurations in the database: their table type and every query the script configuration routes make.
import { containsIgnoringCase } from '../admin-api/admin-route';
import type { Db } from '../db/database';
import { paginate, type Page } from '../db/paginate';

export interface ScriptConfigurationsTable {
  id: string;
  tenant_id: string;
  name: string;
  script_id: string;
  script_version: number;
  schedule: string;
  variables: string;
  distribution: string;
  version: number;
  created_at: string;
  updated_at: string;
  /** JSON object: script input variable -> {variable?: alternate name, value?: overriding default}. */
  inputs: string;
  description: string | null;
}

export interface ScriptConfigurationFilter {
  /** Part of the name, any case. */
  q?: string;
  scriptId?: string;
}

export async function listScriptConfigurations(
  db: Db,
  tenantId: string,
  filter: ScriptConfigurationFilter,
  page: { limit: number; offset: number },
): Promise<{ rows: ScriptConfigurationsTable[]; page: Page }> {
  let base = db.selectFrom('script_configurations').where('tenant_id', '=', tenantId);
  if (filter.q !== undefined) base = base.where(containsIgnoringCase('name', filter.q));
  if (filter.scriptId !== undefined) base = base.where('script_id', '=', filter.scriptId);
  return paginate(base.selectAll().orderBy('created_at').orderBy('id'), page);
}

export function scriptConfigurationById(db: Db, tenantId: string, id: string): Promise<ScriptConfigurationsTable | undefined> {
  return db.selectFrom('script_configurations').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId).executeTakeFirst();
}

/** The configurations of a script, by name: what stops the script from being deleted. */
export function scriptConfigurationsOfScript(db: Db, scriptId: string): Promise<{ id: string; name: string }[]> {
  return db.selectFrom('script_configurations').select(['id', 'name']).where('script_id', '=', scriptId).orderBy('name').execute();
}

export async function insertScriptConfiguration(db: Db, row: ScriptConfigurationsTable): Promise<void> {
  await db.insertInto('script_configurations').values(row).execute();
}

/** Writes a changed configuration, guarded by the version and time it was read at: false when another change came first. */
export async function updateScriptConfiguration(db: Db, before: ScriptConfigurationsTable, after: ScriptConfigurationsTable): Promise<boolean> {
  const updated = await db
    .updateTable('script_configurations')
    .set({
      name: after.name,
      description: after.description,
      script_version: after.script_version,
      schedule: after.schedule,
      inputs: after.inputs,
      variables: after.variables,
      distribution: after.distribution,
      version: after.version,
      updated_at: after.updated_at,
    })
    .where('id', '=', before.id)
    .where('version', '=', before.version)
    .where('updated_at', '=', before.updated_at)
    .executeTakeFirst();
  return updated.numUpdatedRows === 1n;
}

/** Deletes a configuration with the tickets recorded of it. */
export async function deleteScriptConfiguration(db: Db, configurationId: string): Promise<void> {
  await db.deleteFrom('device_tickets').where('configuration_id', '=', configurationId).execute();
  await db.deleteFrom('script_configurations').where('id', '=', configurationId).execute();
}
