// Devices in the database: their table types (with attributes and installed apps) and the queries of enrollment, check-in and the device admin routes.
import type { Generated, Insertable } from 'kysely';
import { containsIgnoringCase } from '../admin-api/admin-route';
import type { Db } from '../db/database';
import { paginate, type Page } from '../db/paginate';

export interface DevicesTable {
  id: string;
  tenant_id: string;
  /** Null for a device without a user: enrolled with a token that names none, or its user taken away (0015). */
  user_id: string | null;
  name: string;
  status: DeviceStatus;
  public_jwk: string;
  facts: string;
  enrolled_at: string;
  last_checkin_at: string | null;
  agent_version: string | null;
  os_version: string | null;
  checkin_seq: Generated<number>;
  /** `pin` (a person with a username and PIN) or `automated` (an enrollment token); devices from before 0014 read `pin`. */
  enrollment_method: Generated<EnrollmentMethod>;
  /** The enrollment token an automated enrollment used; null for a PIN enrollment. */
  enrollment_token_id: Generated<string | null>;
  /** The digest of the device's latest inventory report and when it came (0016); null before the first. */
  inventory_digest: Generated<string | null>;
  inventory_reported_at: Generated<string | null>;
  /** When an admin asked to retire the device and the id of the retire command its check-ins carry (0017); null otherwise. */
  retire_requested_at: Generated<string | null>;
  retire_command_id: Generated<string | null>;
  /** When the device was retired: the agent's confirmation, or a forced retire (0017); null while in service. */
  retired_at: Generated<string | null>;
}

/** `retire_pending`: an admin asked to retire it and its agent has not confirmed yet (issue 13). */
export const DEVICE_STATUSES = ['active', 'retire_pending', 'retired'] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];
/** A device whose agent still checks in: a retire-pending one gets its scripts until it confirms. */
export const IN_SERVICE_STATUSES: readonly DeviceStatus[] = ['active', 'retire_pending'];

export type EnrollmentMethod = 'pin' | 'automated';

export interface DeviceAttributesTable {
  device_id: string;
  name: string;
  value: string;
  execution_id: string;
  updated_at: string;
}

export interface DeviceAppsTable {
  device_id: string;
  bundle_id: string;
  name: string;
  version: string | null;
  reported_at: string;
}

export interface DeviceRow {
  id: string;
  name: string;
  status: DeviceStatus;
  user_id: string | null;
  username: string | null;
  last_checkin_at: string | null;
  agent_version: string | null;
  os_version: string | null;
  enrolled_at: string;
  facts: string;
  enrollment_method: EnrollmentMethod;
  enrollment_token_id: string | null;
  retire_requested_at: string | null;
  retired_at: string | null;
}

const DEVICE_COLUMNS = [
  'd.id',
  'd.name',
  'd.status',
  'd.user_id',
  'u.username',
  'd.last_checkin_at',
  'd.agent_version',
  'd.os_version',
  'd.enrolled_at',
  'd.facts',
  'd.enrollment_method',
  'd.enrollment_token_id',
  'd.retire_requested_at',
  'd.retired_at',
] as const;

function devicesWithUsers(db: Db, tenantId: string) {
  return db.selectFrom('devices as d').leftJoin('users as u', 'u.id', 'd.user_id').where('d.tenant_id', '=', tenantId);
}

export interface DeviceFilter {
  /** Part of the device name, any case. */
  q?: string;
  status?: DeviceStatus;
  userId?: string;
  agentVersion?: string;
  /** ISO instant: devices that last checked in before it, or never. */
  checkedInBefore?: string;
  groupId?: string;
}

export async function listDevices(db: Db, tenantId: string, filter: DeviceFilter, page: { limit: number; offset: number }): Promise<{ rows: DeviceRow[]; page: Page }> {
  let base = devicesWithUsers(db, tenantId);
  if (filter.q !== undefined) base = base.where(containsIgnoringCase('d.name', filter.q));
  if (filter.status !== undefined) base = base.where('d.status', '=', filter.status);
  if (filter.userId !== undefined) base = base.where('d.user_id', '=', filter.userId);
  if (filter.agentVersion !== undefined) base = base.where('d.agent_version', '=', filter.agentVersion);
  if (filter.checkedInBefore !== undefined) {
    const before = new Date(filter.checkedInBefore).toISOString();
    base = base.where((eb) => eb.or([eb('d.last_checkin_at', 'is', null), eb('d.last_checkin_at', '<', before)]));
  }
  if (filter.groupId !== undefined) {
    base = base.where('d.id', 'in', db.selectFrom('device_group_members').select('device_id').where('group_id', '=', filter.groupId));
  }
  return paginate(base.select(DEVICE_COLUMNS).orderBy('d.enrolled_at', 'desc').orderBy('d.id'), page);
}

export function deviceById(db: Db, tenantId: string, id: string): Promise<DeviceRow | undefined> {
  return devicesWithUsers(db, tenantId).select(DEVICE_COLUMNS).where('d.id', '=', id).executeTakeFirst();
}

/** A device's groups, custom attributes, and how many installed apps it last reported and when. */
export async function deviceDetails(db: Db, deviceId: string) {
  const [groups, attributes, apps] = await Promise.all([
    db.selectFrom('device_group_members as m').innerJoin('device_groups as g', 'g.id', 'm.group_id').select(['g.id', 'g.name']).where('m.device_id', '=', deviceId).orderBy('g.name').execute(),
    db.selectFrom('device_attributes').select(['name', 'value', 'updated_at']).where('device_id', '=', deviceId).orderBy('name').execute(),
    db.selectFrom('device_apps').select((eb) => [eb.fn.countAll().as('n'), eb.fn.max('reported_at').as('reported_at')]).where('device_id', '=', deviceId).executeTakeFirstOrThrow(),
  ]);
  return {
    groups,
    attributes: Object.fromEntries(attributes.map((a) => [a.name, a.value])),
    installedApps: { count: Number(apps.n), reportedAt: apps.reported_at ?? null },
  };
}

export interface DeviceLogFilter {
  /** ISO instant: only entries before it. */
  before?: string;
  kind?: 'script_result' | 'event';
  limit: number;
}

/** A device's script results and events merged, newest first, at most `limit`. */
export async function deviceLogs(db: Db, deviceId: string, filter: DeviceLogFilter) {
  const before = filter.before === undefined ? undefined : new Date(filter.before).toISOString();
  const results = async () => {
    let q = db.selectFrom('script_results').select(['ended_at', 'result', 'received_at', 'stdout_encoding', 'stderr_encoding']).where('device_id', '=', deviceId);
    if (before !== undefined) q = q.where('ended_at', '<', before);
    return q.orderBy('ended_at', 'desc').limit(filter.limit).execute();
  };
  const events = async () => {
    let q = db.selectFrom('device_events').select(['at', 'event', 'received_at']).where('device_id', '=', deviceId);
    if (before !== undefined) q = q.where('at', '<', before);
    return q.orderBy('at', 'desc').limit(filter.limit).execute();
  };
  const [resultRows, eventRows] = await Promise.all([filter.kind === 'event' ? [] : results(), filter.kind === 'script_result' ? [] : events()]);
  const logs = [
    // The encodings are always named, also for results of older agents that left them out (meaning utf8).
    ...resultRows.map((r) => ({
      kind: 'script_result' as const,
      at: r.ended_at,
      receivedAt: r.received_at,
      result: { ...(JSON.parse(r.result) as Record<string, unknown>), stdoutEncoding: r.stdout_encoding, stderrEncoding: r.stderr_encoding },
    })),
    ...eventRows.map((e) => ({ kind: 'event' as const, at: e.at, receivedAt: e.received_at, event: JSON.parse(e.event) as unknown })),
  ];
  logs.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  return logs.slice(0, filter.limit);
}

export async function listDeviceApps(db: Db, deviceId: string, q: string | undefined, page: { limit: number; offset: number }) {
  let base = db.selectFrom('device_apps').where('device_id', '=', deviceId);
  if (q !== undefined) base = base.where((eb) => eb.or([containsIgnoringCase('name', q), containsIgnoringCase('bundle_id', q)]));
  const { rows, page: answered } = await paginate(base.select(['bundle_id', 'name', 'version', 'reported_at']).orderBy('name').orderBy('bundle_id'), page);
  return { apps: rows.map((r) => ({ bundleId: r.bundle_id, name: r.name, version: r.version, reportedAt: r.reported_at })), page: answered };
}

export function devicesInService(db: Db, tenantId: string): Promise<{ id: string; name: string; user_id: string | null }[]> {
  return db.selectFrom('devices').select(['id', 'name', 'user_id']).where('tenant_id', '=', tenantId).where('status', 'in', IN_SERVICE_STATUSES).orderBy('name').orderBy('id').execute();
}

export async function insertDevice(db: Db, device: Insertable<DevicesTable>): Promise<void> {
  await db.insertInto('devices').values(device).execute();
}

/** Records a check-in's time and versions; returns the device's new check-in sequence number, which its tickets carry. */
export async function recordCheckin(db: Db, deviceId: string, checkin: { at: string; agentVersion: string | null; osVersion: string | null }): Promise<number> {
  const { checkin_seq: seq } = await db
    .updateTable('devices')
    .set((eb) => ({
      checkin_seq: eb('checkin_seq', '+', 1),
      last_checkin_at: checkin.at,
      agent_version: checkin.agentVersion,
      os_version: checkin.osVersion,
    }))
    .where('id', '=', deviceId)
    .returning('checkin_seq')
    .executeTakeFirstOrThrow();
  return seq;
}

/** Renames a device and sets the user it belongs to (null: none). */
export async function updateDevice(db: Db, deviceId: string, change: { name: string; user_id: string | null }): Promise<void> {
  await db.updateTable('devices').set(change).where('id', '=', deviceId).execute();
}

/** Deletes a device with everything recorded about it. */
export async function deleteDevice(db: Db, deviceId: string): Promise<void> {
  for (const table of ['script_results', 'device_events', 'device_attributes', 'device_apps', 'device_package_receipts', 'device_group_members', 'device_tickets', 'app_install_reports'] as const) {
    await db.deleteFrom(table).where('device_id', '=', deviceId).execute();
  }
  await db.deleteFrom('devices').where('id', '=', deviceId).execute();
}
