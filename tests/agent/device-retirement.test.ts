// The agent's side of retiring (issue 13): the server's retire command is confirmed first and kept in the state until it
// is, a confirmation the network cut short is tried again at the next check-in, and a running script is ended.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HttpFailure } from '../../src/agent/core/ports';
import { FileStateStore } from '../../src/agent/state/file-state-store';
import { RETIRE_PATH } from '../../src/shared/catalog-protocol';
import { DEVICE_API_PREFIX } from '../../src/shared/protocol';
import { DEFAULT_AGENT_CONFIG } from '../../src/shared/agent-config';
import { waitFor } from '../support/wait-for';
import { recordingLogger } from './agent-test-kit';
import { enrolled } from './fake-device-server';

describe('retiring on the server’s command', () => {
  it('keeps the command while the confirmation fails for the network, confirms at the next check-in, then stops checking in', async () => {
    const { agent, server, stateDir } = await enrolled();
    server.api.on('POST', `${DEVICE_API_PREFIX}/checkin`, () => ({
      status: 200,
      body: { agentConfig: DEFAULT_AGENT_CONFIG, scripts: [], commands: [{ id: 'cmd-1', type: 'retire' }], nextCheckinSeconds: 900, serverTime: new Date().toISOString() },
    }));
    let reachable = false;
    server.api.on('POST', RETIRE_PATH, () => {
      if (!reachable) throw new HttpFailure('network', 'connection reset');
      return { status: 200, body: { retiredAt: '2026-12-02T06:30:00.000Z' } };
    });

    await agent.checkInNow();
    await waitFor('the first confirmation', async () => (server.api.calls('POST', RETIRE_PATH).length === 1 ? true : undefined));
    await agent.idle();
    const kept = await new FileStateStore(stateDir, recordingLogger()).readState();
    expect(kept).toMatchObject({ retireCommandId: 'cmd-1' });
    expect(kept?.retiredAt).toBeUndefined();
    expect(server.api.calls('POST', RETIRE_PATH)[0]?.body).toEqual({ reason: "Confirmed the administrator's retire request." });

    reachable = true;
    await agent.checkInNow();
    const status = await waitFor('the retirement', async () => {
      const current = await agent.getStatus();
      return current.retiredAt === null ? undefined : current;
    });
    expect(status).toMatchObject({ retiredAt: '2026-12-02T06:30:00.000Z', nextCheckinAt: null });
    await agent.checkInNow();
    expect(server.api.calls('POST', `${DEVICE_API_PREFIX}/checkin`)).toHaveLength(2);
    await agent.stop();
  });

  it('ends a script still running when the device is retired, rather than waiting for it', async () => {
    const { agent, server, dir, stateDir } = await enrolled();
    const marker = join(dir, 'finished');
    server.configurations.push({ configurationId: 'cfg-long', version: 1, script: `sleep 30; echo done > ${marker}` });
    const running = agent.checkInNow();
    const store = new FileStateStore(stateDir, recordingLogger());
    await waitFor('the script to start', async () => ((await store.listJournal()).some((entry) => entry.process !== undefined) ? true : undefined));

    const started = Date.now();
    await agent.retireDevice();
    await running;
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(existsSync(marker)).toBe(false);
    expect((await agent.getStatus()).retiredAt).not.toBeNull();
    await agent.stop();
  });
});
