// getVersionInfo under plain Node: what the contract promises, with the agent's own version and no Electron.
import { describe, expect, it } from 'vitest';
import { AGENT_VERSION } from '../../src/agent/core/agent-version';
import { versionInfo } from '../../src/agent/service/version-info';
import { AGENT_METHODS } from '../../src/shared/agent-service-contract';

describe('versionInfo', () => {
  it('reports this agent and runtime in the shape getVersionInfo promises', () => {
    const info = versionInfo();
    expect(AGENT_METHODS.getVersionInfo.result.parse(info)).toEqual(info);
    expect(info).toMatchObject({ agentVersion: AGENT_VERSION, platform: process.platform, arch: process.arch, nodeVersion: process.versions.node, electronVersion: null });
  });
});
