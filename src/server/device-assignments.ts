// What is distributed to one device: its effective agent configuration and the script configurations that target it.
import { AgentConfigSchema, type AgentConfig } from '../shared/agent-config';
import { ScheduleSpecSchema, type ScheduleSpec } from '../shared/schedule';
import { InterpreterSchema, type Interpreter } from '../shared/script-result';
import { z } from 'zod';
import type { Db } from './database';
import { includesDevice, readDistribution } from './distribution';

const VariablesSchema = z.record(z.string(), z.string());

export interface DeviceRef {
  id: string;
  tenantId: string;
  userId: string;
}

export interface TargetedScriptConfiguration {
  id: string;
  name: string;
  version: number;
  schedule: ScheduleSpec;
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

async function effectiveAgentConfiguration(db: Db, device: DeviceRef): Promise<DeviceAssignments['agentConfiguration']> {
  const rows = await db
    .selectFrom('agent_configurations')
    .select(['id', 'name', 'settings', 'distribution'])
    .where('tenant_id', '=', device.tenantId)
    .orderBy('updated_at', 'desc')
    .orderBy('created_at', 'desc')
    .execute();
  const row = rows.find((r) => includesDevice(readDistribution(r.distribution), device));
  return row ? { id: row.id, name: row.name, settings: AgentConfigSchema.parse(JSON.parse(row.settings)) } : null;
}

async function targetedScriptConfigurations(db: Db, device: DeviceRef): Promise<TargetedScriptConfiguration[]> {
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
      'sc.distribution',
      's.id as script_id',
      's.name as script_name',
      's.type as script_type',
      's.run_as_root',
      'sv.version as script_version',
      'b.id as blob_id',
      'b.sha256 as blob_sha256',
      'b.size as blob_size',
      'b.content_key as blob_key',
    ])
    .where('sc.tenant_id', '=', device.tenantId)
    .orderBy('sc.created_at')
    .execute();
  return rows
    .filter((r) => includesDevice(readDistribution(r.distribution), device))
    .map((r) => ({
      id: r.id,
      name: r.name,
      version: r.version,
      schedule: ScheduleSpecSchema.parse(JSON.parse(r.schedule)),
      variables: VariablesSchema.parse(JSON.parse(r.variables)),
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

/** Loads everything distributed to a device. */
export async function loadDeviceAssignments(db: Db, device: DeviceRef): Promise<DeviceAssignments> {
  const [agentConfiguration, targeted] = await Promise.all([
    effectiveAgentConfiguration(db, device),
    targetedScriptConfigurations(db, device),
  ]);
  return { agentConfiguration, targeted, deliverable: agentConfiguration ? targeted : [] };
}
