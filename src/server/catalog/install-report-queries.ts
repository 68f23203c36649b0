// What devices report of Apps@Work installs: the latest report per device and app, and the inventory's bundle ids, for each app's install state.
import type { InstallReport, InstallState } from '../../shared/catalog-protocol';
import type { Db } from '../db/database';
import { IN_SERVICE_STATUSES } from '../devices/device-queries';

export interface AppInstallReportsTable {
  device_id: string;
  app_id: string;
  state: string;
  version: string;
  at: string;
  message: string | null;
  received_at: string;
}

/** Keeps a report unless the stored one is later (by the device's time): one arriving late from the outbox changes nothing. */
export async function upsertInstallReport(db: Db, deviceId: string, appId: string, report: InstallReport, receivedAt: string): Promise<void> {
  const at = new Date(report.at).toISOString();
  const row = { device_id: deviceId, app_id: appId, state: report.state, version: report.version, at, message: report.message, received_at: receivedAt };
  await db
    .insertInto('app_install_reports')
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(['device_id', 'app_id'])
        .doUpdateSet({ state: row.state, version: row.version, at, message: row.message, received_at: receivedAt })
        .where('app_install_reports.at', '<=', at),
    )
    .execute();
}

export interface InstallStatus {
  state: InstallState;
  message: string | null;
}

/**
 * Each app's install state on a device: its latest install report, else `installed` when the device's inventory lists
 * the bundle id, else `not_installed`.
 */
export async function installStates(db: Db, deviceId: string, apps: { id: string; bundle_id: string }[]): Promise<Map<string, InstallStatus>> {
  if (apps.length === 0) return new Map();
  const [reports, inventory] = await Promise.all([
    db.selectFrom('app_install_reports').select(['app_id', 'state', 'message']).where('device_id', '=', deviceId).where('app_id', 'in', apps.map((a) => a.id)).execute(),
    db.selectFrom('device_apps').select('bundle_id').where('device_id', '=', deviceId).where('bundle_id', 'in', [...new Set(apps.map((a) => a.bundle_id))]).execute(),
  ]);
  const reported = new Map(reports.map((r) => [r.app_id, r]));
  const installed = new Set(inventory.map((r) => r.bundle_id));
  return new Map(
    apps.map((a) => {
      const report = reported.get(a.id);
      if (report !== undefined) return [a.id, { state: report.state as InstallState, message: report.message }];
      return [a.id, { state: installed.has(a.bundle_id) ? 'installed' : 'not_installed', message: null }];
    }),
  );
}

/**
 * How many devices in service (active or retire pending) of the tenant each app is installed on, by the rule of installStates: its latest install
 * report says installed, or it has no report and the device's inventory lists the bundle id. Apps on none are 0.
 */
export async function installedCounts(db: Db, tenantId: string, apps: { id: string; bundle_id: string }[]): Promise<Map<string, number>> {
  const counts = new Map(apps.map((a) => [a.id, 0]));
  if (apps.length === 0) return counts;
  const ids = apps.map((a) => a.id);
  const [reported, inventoried] = await Promise.all([
    db
      .selectFrom('app_install_reports as r')
      .innerJoin('devices as d', 'd.id', 'r.device_id')
      .select((eb) => ['r.app_id as app_id', eb.fn.countAll().as('n')])
      .where('d.tenant_id', '=', tenantId)
      .where('d.status', 'in', IN_SERVICE_STATUSES)
      .where('r.app_id', 'in', ids)
      .where('r.state', '=', 'installed')
      .groupBy('r.app_id')
      .execute(),
    db
      .selectFrom('apps as a')
      .innerJoin('device_apps as i', 'i.bundle_id', 'a.bundle_id')
      .innerJoin('devices as d', (join) => join.onRef('d.id', '=', 'i.device_id').onRef('d.tenant_id', '=', 'a.tenant_id'))
      .select((eb) => ['a.id as app_id', eb.fn.countAll().as('n')])
      .where('a.tenant_id', '=', tenantId)
      .where('d.status', 'in', IN_SERVICE_STATUSES)
      .where('a.id', 'in', ids)
      // A device with a report is counted by its report alone, as installStates reads it.
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('app_install_reports as r').select('r.app_id').whereRef('r.device_id', '=', 'i.device_id').whereRef('r.app_id', '=', 'a.id'))))
      .groupBy('a.id')
      .execute(),
  ]);
  for (const row of [...reported, ...inventoried]) counts.set(row.app_id, (counts.get(row.app_id) ?? 0) + Number(row.n));
  return counts;
}

/** The apps a device reported installs of, with the latest report of each, newest first: what was pushed to it and how it went. */
export async function deviceAppInstalls(db: Db, deviceId: string): Promise<{ appId: string; name: string; version: string; state: string; message: string | null; at: string }[]> {
  const rows = await db
    .selectFrom('app_install_reports as r')
    .innerJoin('apps as a', 'a.id', 'r.app_id')
    .select(['r.app_id', 'a.name', 'r.version', 'r.state', 'r.message', 'r.at'])
    .where('r.device_id', '=', deviceId)
    .orderBy('r.at', 'desc')
    .orderBy('a.name')
    .execute();
  return rows.map((r) => ({ appId: r.app_id, name: r.name, version: r.version, state: r.state, message: r.message, at: r.at }));
}
