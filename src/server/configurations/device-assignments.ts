// What is distributed to one device: its effective agent configuration and the script configurations that target it.
import { z } from 'zod';
import { AgentConfigSchema, type AgentConfig } from '../../shared/agent-config';
import { DeviceFactsSchema } from '../../shared/protocol';
import { ScheduleSpecSchema, type ScheduleSpec } from '../../shared/schedule';
import { InterpreterSchema, type Interpreter } from '../../shared/script-result';
import type { Db } from '../db/database';
import { includesDevice, readDistribution, type DistributionTarget } from './distribution';
import { InputOverridesSchema, resolveVariables, ScriptInputsSchema, type AlternateVariable } from '../scripts/script-inputs';

const VariablesSchema = z.record(z.string(), z.string());

export interface DeviceRef {
  id: string;
  tenantId: string;
  /** Null for a device enrolled without a user. */
  userId: string | null;
}

export interface TargetedScriptConfiguration {
  id: string;
  name: string;
  version: number;
  schedule: ScheduleSpec;
  /** Resolved for this device: input defaults, overrides and alternate variables applied. */
  variables: Record<string, string>;
  script: { id: string; version: number; name: string; interpreter: Interpreter; runAsRoot: boolean };
  blob: { id: string; sha256: string; size: number; contentKey: string };
}

export interface DeviceAssignments {
  agentConfiguration: { id: string; name: string; settings: AgentConfig } | null;
  /** Script configurations distributed to the device, deliverable or not. */
  targeted: TargetedScriptConfiguration[];
  /** The targeted ones the device may receive: none until an agent configuration is in effect (DESIGN.md §6). */
  deliverable: TargetedScriptConfiguration[];
}

export const NO_AGENT_CONFIGURATION_REASON =
  'No agent configuration is distributed to this device; distribute one so its script configurations can run.';

/** The device with the groups it and its user belong to, as distribution matches it. */
export async function distributionTarget(db: Db, device: DeviceRef): Promise<DistributionTarget> {
  const { userId } = device;
  const [userGroups, deviceGroups] = await Promise.all([
    userId === null ? [] : db.selectFrom('user_group_members').select('group_id').where('user_id', '=', userId).execute(),
    db.selectFrom('device_group_members').select('group_id').where('device_id', '=', device.id).execute(),
  ]);
  return { id: device.id, userId: device.userId, userGroupIds: userGroups.map((g) => g.group_id), deviceGroupIds: deviceGroups.map((g) => g.group_id) };
}

/** The tenant's agent configurations, most recently changed first: the first one distributed to a device is in effect. */
export async function agentConfigurationsByPrecedence(db: Db, tenantId: string): Promise<{ id: string; name: string; settings: string; distribution: string }[]> {
  return db
    .selectFrom('agent_configurations')
    .select(['id', 'name', 'settings', 'distribution'])
    .where('tenant_id', '=', tenantId)
    .orderBy('updated_at', 'desc')
    .orderBy('created_at', 'desc')
    .execute();
}

/** The agent configuration in effect for a target, out of agentConfigurationsByPrecedence's rows. */
export function effectiveAgentConfiguration(
  rows: { id: string; name: string; settings: string; distribution: string }[],
  target: DistributionTarget,
): DeviceAssignments['agentConfiguration'] {
  const row = rows.find((r) => includesDevice(readDistribution(r.distribution), target));
  return row ? { id: row.id, name: row.name, settings: AgentConfigSchema.parse(JSON.parse(row.settings)) } : null;
}

/** Values of the alternate variables for one device; the user's are empty for a device without one. */
async function alternateVariableValues(db: Db, device: DeviceRef): Promise<Record<AlternateVariable, string>> {
  const row = await db
    .selectFrom('devices as d')
    .leftJoin('users as u', 'u.id', 'd.user_id')
    .select(['d.name', 'd.facts', 'd.os_version', 'u.username', 'u.display_name'])
    .where('d.id', '=', device.id)
    .executeTakeFirst();
  const facts = DeviceFactsSchema.partial().safeParse(row ? JSON.parse(row.facts) : {});
  const f = facts.success ? facts.data : {};
  return {
    'device.id': device.id,
    'device.name': row?.name ?? '',
    'device.serialNumber': f.serialNumber ?? '',
    'device.model': f.model ?? '',
    'device.osVersion': row?.os_version ?? f.osVersion ?? '',
    'user.username': row?.username ?? '',
    'user.displayName': row?.display_name ?? '',
  };
}

async function targetedScriptConfigurations(db: Db, device: DeviceRef, target: DistributionTarget): Promise<TargetedScriptConfiguration[]> {
  const rows = await db
    .selectFrom('script_configurations as sc')
    .innerJoin('scripts as s', 's.id', 'sc.script_id')
    .innerJoin('script_versions as sv', (join) =>
      join.onRef('sv.script_id', '=', 'sc.script_id').onRef('sv.version', '=', 'sc.script_version'),
    )
    .innerJoin('blobs as b', 'b.id', 'sv.blob_id')
    .select([
      'sc.id',
      'sc.name',
      'sc.version',
      'sc.schedule',
      'sc.variables',
      'sc.inputs as input_overrides',
      'sc.distribution',
      's.id as script_id',
      's.name as script_name',
      'sv.type as script_type',
      'sv.run_as_root',
      'sv.inputs as script_inputs',
      'sv.version as script_version',
      'b.id as blob_id',
      'b.sha256 as blob_sha256',
      'b.size as blob_size',
      'b.content_key as blob_key',
    ])
    .where('sc.tenant_id', '=', device.tenantId)
    .orderBy('sc.created_at')
    .execute();
  const targeted = rows.filter((r) => includesDevice(readDistribution(r.distribution), target));
  const needsFacts = targeted.some((r) => r.input_overrides.includes('alternateVariable'));
  const facts = needsFacts ? await alternateVariableValues(db, device) : ({} as Record<AlternateVariable, string>);
  return targeted.map((r) => ({
    id: r.id,
    name: r.name,
    version: r.version,
    schedule: ScheduleSpecSchema.parse(JSON.parse(r.schedule)),
    variables: resolveVariables(
      ScriptInputsSchema.parse(JSON.parse(r.script_inputs)),
      InputOverridesSchema.parse(JSON.parse(r.input_overrides)),
      VariablesSchema.parse(JSON.parse(r.variables)),
      facts,
    ),
    script: {
      id: r.script_id,
      version: r.script_version,
      name: r.script_name,
      interpreter: InterpreterSchema.parse(r.script_type),
      runAsRoot: r.run_as_root === 1,
    },
    blob: { id: r.blob_id, sha256: r.blob_sha256, size: r.blob_size, contentKey: r.blob_key },
  }));
}

/** The script a device was given for one configuration: what its results are about, whatever they claim (issue 9). */
export interface GivenScript {
  scriptId: string;
  /** Script versions of the tickets given, oldest first. */
  versions: number[];
}

/** Remembers the configuration versions a check-in gives the device tickets for, so their results are accepted later. */
export async function recordTickets(db: Db, deviceId: string, configurations: TargetedScriptConfiguration[], now: Date): Promise<void> {
  if (configurations.length === 0) return;
  await db
    .insertInto('device_tickets')
    .values(
      configurations.map((c) => ({
        device_id: deviceId,
        configuration_id: c.id,
        configuration_version: c.version,
        script_id: c.script.id,
        script_version: c.script.version,
        first_issued_at: now.toISOString(),
      })),
    )
    .onConflict((oc) => oc.columns(['device_id', 'configuration_id', 'configuration_version']).doNothing())
    .execute();
}

/**
 * The scripts a device was given for some configurations: by a ticket recorded at check-in, even when the configuration
 * is no longer distributed, or by being distributed to it now (results of runs from before tickets were recorded).
 */
export async function givenScripts(db: Db, deviceId: string, targeted: TargetedScriptConfiguration[], configurationIds: string[]): Promise<Map<string, GivenScript>> {
  const given = new Map<string, GivenScript>();
  const add = (configurationId: string, scriptId: string, version: number) => {
    const entry = given.get(configurationId) ?? { scriptId, versions: [] };
    if (!entry.versions.includes(version)) entry.versions.push(version);
    given.set(configurationId, entry);
  };
  const wanted = [...new Set(configurationIds)];
  const tickets =
    wanted.length === 0
      ? []
      : await db
          .selectFrom('device_tickets')
          .select(['configuration_id', 'script_id', 'script_version'])
          .where('device_id', '=', deviceId)
          .where('configuration_id', 'in', wanted)
          .orderBy('configuration_version')
          .execute();
  for (const t of tickets) add(t.configuration_id, t.script_id, t.script_version);
  for (const c of targeted) if (wanted.includes(c.id)) add(c.id, c.script.id, c.script.version);
  return given;
}

/** Loads everything distributed to a device. */
export async function loadDeviceAssignments(db: Db, device: DeviceRef): Promise<DeviceAssignments> {
  const target = await distributionTarget(db, device);
  const [agentConfigurations, targeted] = await Promise.all([
    agentConfigurationsByPrecedence(db, device.tenantId),
    targetedScriptConfigurations(db, device, target),
  ]);
  const agentConfiguration = effectiveAgentConfiguration(agentConfigurations, target);
  return { agentConfiguration, targeted, deliverable: agentConfiguration ? targeted : [] };
}

/** The bytes of a blob, only while a script configuration using it is delivered to the device; else null. */
export async function deliverableBlobBytes(db: Db, device: DeviceRef, blobId: string): Promise<Uint8Array | null> {
  const { deliverable } = await loadDeviceAssignments(db, device);
  if (!deliverable.some((c) => c.blob.id === blobId)) return null;
  const blob = await db.selectFrom('blobs').select('bytes').where('id', '=', blobId).executeTakeFirst();
  return blob?.bytes ?? null;
}
