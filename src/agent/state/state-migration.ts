// Upgrades the single state.json of agents before issue 10 to state slices, carrying over everything so nothing runs again.
import { z } from 'zod';
import { MAX_BLOB_BYTES } from '../../shared/ticket';
import { AgentStateSchema, ScheduledConfigurationSchema, type AgentState } from '../core/agent-state';
import type { BlobStore } from '../core/ports';
import { boundedHandled } from '../delivery/handled-configurations';

/** state.json as agents before issue 10 wrote it: one document, each kept schedule carrying its encrypted blob in base64. */
const LegacyStateSchema = AgentStateSchema.extend({
  schedules: z.array(ScheduledConfigurationSchema.extend({ blob: z.string().max(Math.ceil(MAX_BLOB_BYTES / 3) * 4) })).optional(),
});

/**
 * The state a legacy state.json holds, its blobs moved to `blobs`.
 *
 * Kept schedules keep their floors (received, last run) and `handled` keeps what "execute once" needs, so the agent
 * carries on without running anything again; it is only bounded like any newer list. A kept schedule's signer was
 * never recorded: the next check-in delivers it again to learn it (needsDelivery), keeping its floor.
 */
export async function migrateLegacyState(text: string, path: string, blobs: BlobStore): Promise<AgentState> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = null;
  }
  const parsed = LegacyStateSchema.safeParse(value);
  if (!parsed.success) {
    const reason = value === null ? 'not JSON' : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`agent state in ${path} is not valid (${reason}); re-enroll with a fresh state folder`);
  }
  const legacy = parsed.data;
  const schedules = [];
  for (const { blob, ...entry } of legacy.schedules ?? []) {
    // Stored under its own sha256; a blob changed on disk no longer matches the signed one and is refused before it runs.
    await blobs.put(Buffer.from(blob, 'base64'));
    schedules.push(entry);
  }
  return { ...legacy, schedules, handled: boundedHandled(legacy.handled) };
}
