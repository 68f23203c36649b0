// Who a configuration is distributed to (DESIGN.md §6). Stored as JSON so the later `custom` kind fits the same column.
import { z } from 'zod';

export const DistributionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('everyone') }),
  z.strictObject({ kind: z.literal('none') }),
]);
export type Distribution = z.infer<typeof DistributionSchema>;

export const NO_ONE: Distribution = { kind: 'none' };

/** Reads a distribution column; a value this server cannot read distributes to no one. */
export function readDistribution(stored: string): Distribution {
  const parsed = DistributionSchema.safeParse(JSON.parse(stored));
  return parsed.success ? parsed.data : NO_ONE;
}

/** Whether a distribution includes a device. The device is passed whole because `custom` will match users and groups. */
export function includesDevice(distribution: Distribution, _device: { id: string; userId: string }): boolean {
  return distribution.kind === 'everyone';
}
