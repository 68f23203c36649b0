// Which of two reports of an app's install is the later one: the answer to "install" and the agent's events travel on
// different connections, so the answer can arrive after the events that followed it.
import type { InstallProgress } from '../../shared/agent-service-contract';

const PHASE_ORDER: Record<InstallProgress['phase'], number> = { downloading: 0, verifying: 1, installing: 2, installed: 3, failed: 3 };

/** True when `candidate` describes a later point than `known`: a later install, a later phase, or more bytes. */
export function isLaterInstall(candidate: InstallProgress, known: InstallProgress): boolean {
  if (candidate.startedAt !== known.startedAt) return candidate.startedAt > known.startedAt;
  const phaseChange = PHASE_ORDER[candidate.phase] - PHASE_ORDER[known.phase];
  if (phaseChange !== 0) return phaseChange > 0;
  return candidate.receivedBytes > known.receivedBytes;
}

/** The list with `progress` in it, or the same list when it already holds a later report of the app (no re-render). */
export function withInstall(installs: InstallProgress[], progress: InstallProgress): InstallProgress[] {
  const known = installs.find((item) => item.appId === progress.appId);
  if (known !== undefined && !isLaterInstall(progress, known)) return installs;
  return [...installs.filter((item) => item.appId !== progress.appId), progress];
}
