// What the About screen shows of this agent: its version and the platform and runtimes it runs on.
import type { MethodResult } from '../../shared/agent-service-contract';
import { deviceFacts } from '../enrollment/device-identity';

/** Read afresh on each call; the OS fields are the ones the agent enrolls and checks in with, so they match the server's. */
export function versionInfo(): MethodResult<'getVersionInfo'> {
  const { agentVersion, osName, osVersion } = deviceFacts();
  return {
    agentVersion,
    platform: process.platform,
    arch: process.arch,
    osName,
    osVersion,
    nodeVersion: process.versions.node,
    // Absent under plain Node (the CLI agent, the browser bridge); set in the Electron app and daemon.
    electronVersion: process.versions.electron ?? null,
  };
}
