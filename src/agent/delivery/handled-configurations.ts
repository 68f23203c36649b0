// The bound on the agent's record of handled configuration versions, which grew without end before issue 10.
import type { HandledConfiguration } from '../core/agent-state';

/** Most configurations `handled` remembers; more than this assigned to one device at once is far beyond any fleet's use. */
export const HANDLED_CONFIGURATIONS_KEPT = 2000;

/**
 * What of `handled` replay protection and "execute once" need (issue 10): per configuration, its newest version and
 * the newest version that started or is scheduled (at most two entries), for the HANDLED_CONFIGURATIONS_KEPT
 * configurations handled most recently.
 *
 * Older versions are dropped because the server only ever assigns a configuration's current version, and versions
 * only go up; a refused ticket of a newer version does not make an older started one runnable again.
 */
export function boundedHandled(handled: readonly HandledConfiguration[]): HandledConfiguration[] {
  const byConfiguration = new Map<string, HandledConfiguration[]>();
  for (const entry of handled) byConfiguration.set(entry.configurationId, [...(byConfiguration.get(entry.configurationId) ?? []), entry]);
  const newestFirst = (a: HandledConfiguration, b: HandledConfiguration) => b.version - a.version;
  const kept = [...byConfiguration.values()].map((entries) => {
    const sorted = [...entries].sort(newestFirst);
    const ran = sorted.find((h) => h.outcome === 'started' || h.outcome === 'scheduled');
    return ran === undefined || ran === sorted[0] ? [sorted[0]!] : [sorted[0]!, ran];
  });
  const lastAt = (entries: HandledConfiguration[]) => Math.max(...entries.map((h) => Date.parse(h.at)));
  const recent = kept.sort((a, b) => lastAt(b) - lastAt(a)).slice(0, HANDLED_CONFIGURATIONS_KEPT);
  // In the order given, so an unchanged list stays byte-for-byte the same on disk.
  const keep = new Set(recent.flat());
  return handled.filter((h) => keep.has(h));
}
