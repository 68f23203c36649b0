// The agent state on disk in slices, one per capability, each with its own format version and schema, written on its own (issue 10).
import { z } from 'zod';
import { AgentStateSchema, ReplayRecordSchema, ScheduledConfigurationSchema, type AgentState } from '../core/agent-state';

/** One slice: a file of its own in the state folder's slices/ folder, holding some fields of the state. */
export interface StateSlice {
  /** Its file name, without `.json`. */
  readonly name: string;
  /** Format version of what it holds; a slice written in another format is refused, never guessed at. */
  readonly format: number;
  /** Its data as written by this format. */
  readonly schema: z.ZodType<Partial<AgentState>>;
  /** Its part of the state. */
  of(state: AgentState): Partial<AgentState>;
}

function pickSlice(name: string, keys: readonly (keyof AgentState)[]): StateSlice {
  const mask = Object.fromEntries(keys.map((k) => [k, true])) as Parameters<typeof AgentStateSchema.pick>[0];
  return {
    name,
    format: 1,
    schema: AgentStateSchema.pick(mask).strict() as z.ZodType<Partial<AgentState>>,
    of: (state) => Object.fromEntries(keys.map((k) => [k, state[k]])) as Partial<AgentState>,
  };
}

/** Enrollment: who the device is, which server it belongs to, the root it pinned. Written once. */
export const IDENTITY_SLICE = pickSlice('identity', ['serverUrl', 'deviceId', 'tenantId', 'tenantRootCertificate', 'enrolledAt', 'enrollmentMethod']);

/** Kept recurring configurations; their blobs are in the blob store, named by the signed sha256. */
export const SCHEDULES_SLICE: StateSlice = {
  name: 'schedules',
  format: 1,
  schema: z.object({ schedules: z.array(ScheduledConfigurationSchema) }).strict(),
  of: (state) => ({ schedules: state.schedules ?? [] }),
};

/**
 * Every slice, in the order they are written.
 *
 * Identity comes last: a state folder with an identity slice is a whole state, so enrollment or the migration from
 * state.json cut short by a crash is simply done again.
 */
export const STATE_SLICES: readonly StateSlice[] = [
  /**
   * Check-in status, the agent configuration the last check-in carried, whether the device was retired (absent before
   * issue 11), and the retire command being carried out (absent before issue 13).
   */
  pickSlice('checkin', ['agentConfig', 'lastCheckinAt', 'lastCheckinError', 'nextCheckinAt', 'retiredAt', 'retireCommandId']),
  /** Replay record: the highest ticket sequence, ticket ids not yet expired, and the kept revocation list. */
  { name: 'replay', format: 1, schema: z.object({ replay: ReplayRecordSchema }).strict(), of: (state) => ({ replay: state.replay }) },
  /** Which configuration versions were handled (bounded, see boundedHandled) and the recent runs the status shows. */
  pickSlice('delivery', ['handled', 'recentRuns']),
  SCHEDULES_SLICE,
  IDENTITY_SLICE,
];

/** The file content of a slice: which slice, its format and its data; not validated, so an unchanged slice costs no parse. */
export function sliceFileText(slice: StateSlice, state: AgentState): string {
  return JSON.stringify({ slice: slice.name, format: slice.format, data: slice.of(state) });
}

/** The data of a slice file, or why it cannot be used. */
export function parseSliceFile(slice: StateSlice, text: string): { success: true; data: Partial<AgentState> } | { success: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { success: false, error: 'not JSON' };
  }
  const envelope = z.object({ slice: z.literal(slice.name), format: z.number().int(), data: z.unknown() }).safeParse(value);
  if (!envelope.success) return { success: false, error: `not a ${slice.name} slice` };
  if (envelope.data.format !== slice.format) return { success: false, error: `format ${envelope.data.format}, which this agent (format ${slice.format}) cannot read` };
  const data = slice.schema.safeParse(envelope.data.data);
  return data.success ? { success: true, data: data.data } : { success: false, error: data.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
}

/** The sha256 of every blob the state's kept schedules use; no other blob is kept. */
export function blobsInUse(state: AgentState): Set<string> {
  return new Set((state.schedules ?? []).map((s) => s.claims.blob.sha256));
}
