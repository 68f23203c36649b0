// Scripts in the database: their table types (scripts, immutable versions, sealed body blobs) and every query the script routes make.
import { randomUUID } from 'node:crypto';
import { openBlob, sealBlob } from '../../shared/node/blob-cipher';
import type { Interpreter } from '../../shared/script-result';
import { containsIgnoringCase } from '../admin-api/admin-route';
import type { Db } from '../db/database';
import { paginate, type Page } from '../db/paginate';
import type { ScriptInput } from './script-inputs';

export interface BlobsTable {
  id: string;
  bytes: Buffer;
  sha256: string;
  size: number;
  content_key: string;
  created_at: string;
}

export interface ScriptsTable {
  id: string;
  tenant_id: string;
  name: string;
  type: string;
  run_as_root: number;
  description: string | null;
  latest_version: number;
  created_at: string;
  updated_at: string;
  /** JSON array of the latest version's inputs {label, variable, defaultValue}. */
  inputs: string;
  /** Device attribute the script's trimmed output sets, or null. */
  attribute: string | null;
}

export interface ScriptVersionsTable {
  script_id: string;
  version: number;
  blob_id: string;
  created_at: string;
  type: string;
  run_as_root: number;
  inputs: string;
}

export interface VersionContent {
  body: string;
  type: Interpreter;
  runAsRoot: boolean;
  inputs: ScriptInput[];
}

export interface ScriptFilter {
  /** Part of the name, any case. */
  q?: string;
  type?: Interpreter;
}

export async function listScripts(db: Db, tenantId: string, filter: ScriptFilter, page: { limit: number; offset: number }): Promise<{ rows: ScriptsTable[]; page: Page }> {
  let base = db.selectFrom('scripts').where('tenant_id', '=', tenantId);
  if (filter.q !== undefined) base = base.where(containsIgnoringCase('name', filter.q));
  if (filter.type !== undefined) base = base.where('type', '=', filter.type);
  return paginate(base.selectAll().orderBy('name').orderBy('created_at'), page);
}

export function scriptById(db: Db, tenantId: string, id: string): Promise<ScriptsTable | undefined> {
  return db.selectFrom('scripts').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId).executeTakeFirst();
}

export function scriptVersion(db: Db, scriptId: string, version: number): Promise<ScriptVersionsTable | undefined> {
  return db.selectFrom('script_versions').selectAll().where('script_id', '=', scriptId).where('version', '=', version).executeTakeFirst();
}

/** The version row a script's latest_version names; a script always has it, so its absence throws. */
export function latestScriptVersion(db: Db, script: ScriptsTable): Promise<ScriptVersionsTable> {
  return db.selectFrom('script_versions').selectAll().where('script_id', '=', script.id).where('version', '=', script.latest_version).executeTakeFirstOrThrow();
}

/** The unsealed body of one script version, or null when the script has no such version. */
export async function scriptVersionBody(db: Db, scriptId: string, version: number): Promise<string | null> {
  const blob = await db
    .selectFrom('script_versions as sv')
    .innerJoin('blobs as b', 'b.id', 'sv.blob_id')
    .select(['b.bytes', 'b.content_key'])
    .where('sv.script_id', '=', scriptId)
    .where('sv.version', '=', version)
    .executeTakeFirst();
  return blob ? openBlob(Buffer.from(blob.bytes), blob.content_key).toString('utf8') : null;
}

/** A script's versions, newest first, each with the SHA-256 of its sealed body. */
export function scriptVersionHistory(db: Db, scriptId: string) {
  return db
    .selectFrom('script_versions as sv')
    .innerJoin('blobs as b', 'b.id', 'sv.blob_id')
    .select(['sv.version', 'sv.type', 'sv.run_as_root', 'sv.inputs', 'sv.created_at', 'b.sha256'])
    .where('sv.script_id', '=', scriptId)
    .orderBy('sv.version', 'desc')
    .execute();
}

/** Seals a version's body into a blob and records the version; the caller's transaction makes both or neither. */
export async function insertScriptVersion(db: Db, scriptId: string, version: number, content: VersionContent, now: string): Promise<void> {
  const sealed = sealBlob(Buffer.from(content.body, 'utf8'));
  const blobId = randomUUID();
  await db
    .insertInto('blobs')
    .values({ id: blobId, bytes: sealed.blob, sha256: sealed.sha256, size: sealed.blob.length, content_key: sealed.key, created_at: now })
    .execute();
  await db
    .insertInto('script_versions')
    .values({
      script_id: scriptId,
      version,
      blob_id: blobId,
      created_at: now,
      type: content.type,
      run_as_root: content.runAsRoot ? 1 : 0,
      inputs: JSON.stringify(content.inputs),
    })
    .execute();
}

export async function insertScript(db: Db, script: ScriptsTable): Promise<void> {
  await db.insertInto('scripts').values(script).execute();
}

/**
 * Writes an edited script, guarded by the latest version it was edited from: false when a concurrent edit got there
 * first, so both cannot claim the same version number.
 */
export async function updateScript(db: Db, before: ScriptsTable, after: ScriptsTable): Promise<boolean> {
  const updated = await db
    .updateTable('scripts')
    .set({
      name: after.name,
      description: after.description,
      attribute: after.attribute,
      type: after.type,
      run_as_root: after.run_as_root,
      inputs: after.inputs,
      latest_version: after.latest_version,
      updated_at: after.updated_at,
    })
    .where('id', '=', before.id)
    .where('latest_version', '=', before.latest_version)
    .executeTakeFirst();
  return updated.numUpdatedRows === 1n;
}

/** Deletes a script with all its versions and their blobs. */
export async function deleteScript(db: Db, scriptId: string): Promise<void> {
  const versions = await db.selectFrom('script_versions').select('blob_id').where('script_id', '=', scriptId).execute();
  await db.deleteFrom('script_versions').where('script_id', '=', scriptId).execute();
  await db.deleteFrom('blobs').where('id', 'in', versions.map((v) => v.blob_id)).execute();
  await db.deleteFrom('scripts').where('id', '=', scriptId).execute();
}

/** Of these scripts, the ones whose output sets a device attribute. */
export function scriptsSettingAttributes(db: Db, scriptIds: string[]) {
  return db.selectFrom('scripts').select(['id', 'name', 'attribute']).where('id', 'in', scriptIds).where('attribute', 'is not', null).execute();
}
