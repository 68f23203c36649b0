// Who a configuration is distributed to (DESIGN.md §6): everyone, no one (staged), or custom users, user groups, devices and device groups.
import { z } from 'zod';
import type { Db } from '../db/database';
import { badRequest } from '../app/http-errors';

const MAX_TARGETS = 1000;
const Ids = z.array(z.string().min(1).max(64)).max(MAX_TARGETS);

/**
 * One object shape (not a union) so that the CLI can offer `--kind`, `--users` and the rest as options;
 * the refinement keeps lists to the `custom` kind.
 */
export const DistributionSchema = z
  .strictObject({
    kind: z.enum(['everyone', 'none', 'custom']),
    users: Ids.optional(),
    userGroups: Ids.optional(),
    devices: Ids.optional(),
    deviceGroups: Ids.optional(),
  })
  .refine((d) => d.kind === 'custom' || [d.users, d.userGroups, d.devices, d.deviceGroups].every((l) => l === undefined), {
    message: 'users, userGroups, devices and deviceGroups go with kind custom only',
  });

export type Distribution =
  | { kind: 'everyone' }
  | { kind: 'none' }
  | { kind: 'custom'; users: string[]; userGroups: string[]; devices: string[]; deviceGroups: string[] };

export const NO_ONE: Distribution = { kind: 'none' };

/** The stored, normalised form: custom lists always present and de-duplicated. */
export function normaliseDistribution(input: z.infer<typeof DistributionSchema>): Distribution {
  if (input.kind !== 'custom') return { kind: input.kind };
  const unique = (ids: string[] | undefined) => [...new Set(ids ?? [])];
  return {
    kind: 'custom',
    users: unique(input.users),
    userGroups: unique(input.userGroups),
    devices: unique(input.devices),
    deviceGroups: unique(input.deviceGroups),
  };
}

const StoredDistributionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('everyone') }),
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('custom'), users: z.array(z.string()), userGroups: z.array(z.string()), devices: z.array(z.string()), deviceGroups: z.array(z.string()) }),
]);

/** Reads a distribution column; a value this server cannot read distributes to no one. */
export function readDistribution(stored: string): Distribution {
  const parsed = StoredDistributionSchema.safeParse(JSON.parse(stored));
  return parsed.success ? parsed.data : NO_ONE;
}

/** A device as distribution sees it: itself, its user, and the groups of both. */
export interface DistributionTarget {
  id: string;
  /** Null for a device without a user: only distributions to everyone, to it or to its device groups reach it. */
  userId: string | null;
  userGroupIds: readonly string[];
  deviceGroupIds: readonly string[];
}

/** Whether a distribution includes a device. */
export function includesDevice(distribution: Distribution, device: DistributionTarget): boolean {
  if (distribution.kind !== 'custom') return distribution.kind === 'everyone';
  return (
    distribution.devices.includes(device.id) ||
    (device.userId !== null && distribution.users.includes(device.userId)) ||
    distribution.userGroups.some((g) => device.userGroupIds.includes(g)) ||
    distribution.deviceGroups.some((g) => device.deviceGroupIds.includes(g))
  );
}

/** Refuses a custom distribution that names a user, group or device this tenant does not have, naming the first one. */
export async function checkDistributionTargets(db: Db, tenantId: string, distribution: Distribution): Promise<void> {
  if (distribution.kind !== 'custom') return;
  const lists = [
    ['users', 'user', distribution.users],
    ['user_groups', 'user group', distribution.userGroups],
    ['devices', 'device', distribution.devices],
    ['device_groups', 'device group', distribution.deviceGroups],
  ] as const;
  for (const [table, what, ids] of lists) {
    if (ids.length === 0) continue;
    const found = await db.selectFrom(table).select('id').where('tenant_id', '=', tenantId).where('id', 'in', ids).execute();
    const known = new Set(found.map((r) => r.id));
    const missing = ids.find((id) => !known.has(id));
    if (missing !== undefined) throw badRequest(`The distribution names ${what} ${missing}, which does not exist.`);
  }
}

/** A configuration whose distribution names something. */
export interface DistributionUse {
  kind: 'agent_configuration' | 'script_configuration';
  id: string;
  name: string;
}

/** The configurations whose custom distribution names a user, group or device: what deleting it would silently change. */
export async function configurationsNaming(
  db: Db,
  tenantId: string,
  list: 'users' | 'userGroups' | 'devices' | 'deviceGroups',
  id: string,
): Promise<DistributionUse[]> {
  const [agent, script] = await Promise.all([
    db.selectFrom('agent_configurations').select(['id', 'name', 'distribution']).where('tenant_id', '=', tenantId).execute(),
    db.selectFrom('script_configurations').select(['id', 'name', 'distribution']).where('tenant_id', '=', tenantId).execute(),
  ]);
  const naming = <R extends { id: string; name: string; distribution: string }>(rows: R[]) =>
    rows.filter((r) => {
      const d = readDistribution(r.distribution);
      return d.kind === 'custom' && d[list].includes(id);
    });
  return [
    ...naming(agent).map((r) => ({ kind: 'agent_configuration' as const, id: r.id, name: r.name })),
    ...naming(script).map((r) => ({ kind: 'script_configuration' as const, id: r.id, name: r.name })),
  ];
}

/** "agent configuration X, script configuration Y" for a refusal message. */
export function describeUses(uses: DistributionUse[]): string {
  return uses.map((u) => `${u.kind.replace('_', ' ')} ${u.name} (${u.id})`).join(', ');
}
