// Script inputs {label, variable, default} and a script configuration's overrides: another default, or an alternate variable filled per device.
import { z } from 'zod';
import { TicketClaimsSchema } from '../../shared/ticket';

const VariableName = TicketClaimsSchema.shape.variables.keyType;
const VariableValue = z.string().max(4096);

export const ScriptInputSchema = z.strictObject({
  label: z.string().trim().min(1).max(200),
  variable: VariableName,
  defaultValue: VariableValue.default(''),
});
export type ScriptInput = z.infer<typeof ScriptInputSchema>;

export const ScriptInputsSchema = z
  .array(ScriptInputSchema)
  .max(64)
  .refine((inputs) => new Set(inputs.map((i) => i.variable)).size === inputs.length, { message: 'each input needs its own variable' });

/** Alternate variables: facts of the device or its user that replace an input's default when the ticket is issued. */
export const ALTERNATE_VARIABLES = ['device.id', 'device.name', 'device.serialNumber', 'device.model', 'device.osVersion', 'user.username', 'user.displayName'] as const;
export type AlternateVariable = (typeof ALTERNATE_VARIABLES)[number];

export const InputOverrideSchema = z
  .strictObject({ value: VariableValue.optional(), alternateVariable: z.enum(ALTERNATE_VARIABLES).optional() })
  .refine((o) => (o.value === undefined) !== (o.alternateVariable === undefined), { message: 'an override gives either a value or an alternateVariable' });

export const InputOverridesSchema = z.record(VariableName, InputOverrideSchema);
export type InputOverrides = z.infer<typeof InputOverridesSchema>;

/** Refuses overrides of variables the script version has no input for, naming the first. */
export function unknownOverride(inputs: ScriptInput[], overrides: InputOverrides): string | null {
  const known = new Set(inputs.map((i) => i.variable));
  return Object.keys(overrides).find((v) => !known.has(v)) ?? null;
}

/** The variables a device's ticket carries: each input's default, overridden by the configuration, then its free variables. */
export function resolveVariables(
  inputs: ScriptInput[],
  overrides: InputOverrides,
  variables: Record<string, string>,
  facts: Record<AlternateVariable, string>,
): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const input of inputs) {
    const override = overrides[input.variable];
    resolved[input.variable] = override?.alternateVariable ? facts[override.alternateVariable] : (override?.value ?? input.defaultValue);
  }
  return { ...resolved, ...variables };
}
