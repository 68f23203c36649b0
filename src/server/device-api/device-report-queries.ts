// What devices report in the database: the tables of script results, log events and tickets given, and the queries that store reports.
import type { Generated, Insertable } from 'kysely';
import type { Db } from '../db/database';
import type { DeviceAttributesTable } from '../devices/device-queries';

export interface ScriptResultsTable {
  execution_id: string;
  device_id: string;
  configuration_id: string;
  status: string;
  ended_at: string;
  result: string;
  received_at: string;
  /** How the result's stdout / stderr text carries the output: 'utf8', or 'base64' of bytes that are not plain text. */
  stdout_encoding: Generated<string>;
  stderr_encoding: Generated<string>;
}

/** One script configuration version given to one device in a ticket: results are accepted for what was given (issue 9). */
export interface DeviceTicketsTable {
  device_id: string;
  configuration_id: string;
  configuration_version: number;
  /** The script the ticket named: a result is about this script, whatever the device claims. */
  script_id: string;
  script_version: number;
  first_issued_at: string;
}

export interface DeviceEventsTable {
  id: string;
  device_id: string;
  type: string;
  at: string;
  event: string;
  received_at: string;
}

/** Stores results, skipping execution ids already stored; returns the execution ids it stored. */
export async function insertScriptResults(db: Db, results: Insertable<ScriptResultsTable>[]): Promise<string[]> {
  const inserted = await db
    .insertInto('script_results')
    .values(results)
    .onConflict((oc) => oc.column('execution_id').doNothing())
    .returning('execution_id')
    .execute();
  return inserted.map((r) => r.execution_id);
}

/** How many of these executions the device's stored results hold. */
export async function countStoredResults(db: Db, deviceId: string, executionIds: string[]): Promise<number> {
  const held = await db.selectFrom('script_results').select('execution_id').where('device_id', '=', deviceId).where('execution_id', 'in', executionIds).execute();
  return held.length;
}

/** Whether any device reported a result of the configuration. */
export async function configurationHasResults(db: Db, configurationId: string): Promise<boolean> {
  const result = await db.selectFrom('script_results').select('execution_id').where('configuration_id', '=', configurationId).executeTakeFirst();
  return result !== undefined;
}

export async function insertDeviceEvent(db: Db, event: DeviceEventsTable): Promise<void> {
  await db.insertInto('device_events').values(event).execute();
}

/** Stores events, skipping event ids already stored. */
export async function insertDeviceEvents(db: Db, events: DeviceEventsTable[]): Promise<void> {
  await db
    .insertInto('device_events')
    .values(events)
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/** How many of these events the device's stored events hold. */
export async function countStoredEvents(db: Db, deviceId: string, eventIds: string[]): Promise<number> {
  const held = await db.selectFrom('device_events').select('id').where('device_id', '=', deviceId).where('id', 'in', eventIds).execute();
  return held.length;
}

/** Sets a device attribute unless its stored value is from a later run (updated_at is the run's end): a result arriving late from the outbox must not overwrite it. */
export async function upsertDeviceAttribute(db: Db, attribute: DeviceAttributesTable): Promise<void> {
  const { value, execution_id, updated_at } = attribute;
  await db
    .insertInto('device_attributes')
    .values(attribute)
    .onConflict((oc) => oc.columns(['device_id', 'name']).doUpdateSet({ value, execution_id, updated_at }).where('device_attributes.updated_at', '<', updated_at))
    .execute();
}
