// Issue 9 over real HTTP: results the real server refuses for good (413, 404) no longer block the results and events behind them.
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentService } from '../../src/agent/service/agent-service';
import { FileStateStore } from '../../src/agent/state/file-state-store';
import { createNodeAgent } from '../../src/agent/service/node-agent';
import type { Logger } from '../../src/agent/core/ports';
import type { DeviceEvent } from '../../src/shared/protocol';
import type { ScriptResult } from '../../src/shared/script-result';
import { TestServer } from '../server/server-fixture';
import { sampleResult } from '../support/sample-result';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

let server: TestServer;
let agent: AgentService;
let stateDir: string;
let deviceId: string;
let script: { scriptId: string; configurationId: string };

interface LogEntry {
  kind: 'script_result' | 'event';
  result?: ScriptResult;
  event?: DeviceEvent;
}

async function deviceLogs(): Promise<LogEntry[]> {
  return (await server.adminOk<{ logs: LogEntry[] }>('GET', `/devices/${deviceId}/logs?limit=200`)).logs;
}

function result(name: string, overrides: Partial<ScriptResult> = {}): ScriptResult {
  return { ...sampleResult({ ...script, scriptVersion: 1, scriptName: name, stdout: `${name}\n`, endedAt: new Date().toISOString() }), ...overrides };
}

function event(message: string): DeviceEvent {
  return { id: randomUUID(), type: 'test.note', at: new Date().toISOString(), message };
}

beforeAll(async () => {
  server = await TestServer.start();
  const serverUrl = await server.server.listen({ host: '127.0.0.1', port: 0 });
  await server.distributeSystemDefaultAgentConfiguration();
  script = await server.createScriptConfiguration('echo "$GREETING"', 'everyone');
  const { pin } = await server.createUserWithPin('alice');
  stateDir = path.join(path.dirname(server.dataDir), 'agent');
  agent = createNodeAgent({ stateDir, logger: quiet });
  ({ deviceId } = await agent.enroll({ serverUrl, username: 'alice', pin }));
  await agent.checkInNow();
});

afterAll(async () => {
  await agent?.stop();
  await server?.stop();
});

describe('outbox against the real server', () => {
  it('delivers the good results around one the server refuses as too large (413), and reports that one once', async () => {
    const store = new FileStateStore(stateDir, quiet);
    // Within the agent's own schema (1 MiB of output), but the request carrying it is over the server's body limit.
    const poisoned = result('poisoned', { stdout: 'x'.repeat(1024 * 1024) });
    const good = [result('before'), result('after')];
    for (const entry of [good[0]!, poisoned, good[1]!]) await store.putOutbox({ kind: 'result', result: entry });
    const behind = event('an event behind the results');
    await store.putOutbox({ kind: 'event', event: behind });

    await agent.checkInNow();
    await agent.checkInNow();
    const logs = await deviceLogs();
    const stored = logs.flatMap((l) => (l.result ? [l.result.executionId] : []));
    expect(stored).toEqual(expect.arrayContaining(good.map((r) => r.executionId)));
    expect(stored).not.toContain(poisoned.executionId);
    const events = logs.flatMap((l) => (l.event ? [l.event] : []));
    expect(events.map((e) => e.id)).toContain(behind.id);
    const reports = events.filter((e) => e.type === 'outbox.item_rejected' && e.data?.executionId === poisoned.executionId);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.data).toMatchObject({ kind: 'result', status: 413 });
    expect(await readdir(path.join(stateDir, 'outbox'))).toEqual([]);
    expect(await readdir(path.join(stateDir, 'rejected'))).toContain(`result-${poisoned.executionId}.json`);
  });

  it('sets aside a result for a configuration this device was never given (404) instead of retrying it forever', async () => {
    const store = new FileStateStore(stateDir, quiet);
    const orphan = result('orphan', { configurationId: 'never-given-to-this-device' });
    // In the same batch as the orphan: the server refuses the batch whole, the agent splits it, this one is stored.
    const neighbour = result('neighbour');
    await store.putOutbox({ kind: 'result', result: orphan });
    await store.putOutbox({ kind: 'result', result: neighbour });
    const behind = event('an event behind the orphan');
    await store.putOutbox({ kind: 'event', event: behind });

    await agent.checkInNow();
    const events = (await deviceLogs()).flatMap((l) => (l.event ? [l.event] : []));
    expect(events.map((e) => e.id)).toContain(behind.id);
    expect((await deviceLogs()).flatMap((l) => (l.result ? [l.result.executionId] : []))).toContain(neighbour.executionId);
    expect(events.filter((e) => e.data?.executionId === orphan.executionId)).toMatchObject([{ type: 'outbox.item_rejected', data: { status: 404 } }]);
    expect(await readdir(path.join(stateDir, 'outbox'))).toEqual([]);
    expect((await agent.getStatus()).lastCheckinError).toBeNull();
  });
});
