// A blob download that meets a server down for now (503) is retried at the next check-in, not rejected for good (issue 9).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentService } from '../../src/agent/service/agent-service';
import { FetchHttpClient } from '../../src/agent/transport/fetch-http-client';
import { FileSecretStore } from '../../src/agent/state/file-secret-store';
import { FileStateStore } from '../../src/agent/state/file-state-store';
import { NodeSpawner } from '../../src/agent/runner/node-spawner';
import type { DownloadRequest, HttpClient, HttpRequest, Logger } from '../../src/agent/core/ports';
import { systemClock } from '../../src/agent/service/system-clock';
import type { ScriptResult } from '../../src/shared/script-result';
import { TestServer } from '../server/server-fixture';

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Real HTTP, except that the first `unavailable` blob downloads answer 503 as a server whose database is down would. */
class FlakyBlobs implements HttpClient {
  readonly real = new FetchHttpClient();
  constructor(public unavailable: number) {}
  async request(request: HttpRequest) {
    if (request.url.includes('/blobs/') && this.unavailable > 0) {
      this.unavailable--;
      return { status: 503, headers: { 'retry-after': '1' }, body: Buffer.from('{"error":"database_unavailable","message":"The server cannot reach its database right now; try again shortly."}') };
    }
    return this.real.request(request);
  }
  download(request: DownloadRequest) {
    return this.real.download(request);
  }
}

let server: TestServer;
let agent: AgentService;
let deviceId: string;

beforeAll(async () => {
  server = await TestServer.start();
  const serverUrl = await server.server.listen({ host: '127.0.0.1', port: 0 });
  await server.distributeSystemDefaultAgentConfiguration();
  await server.createScriptConfiguration('echo "ran once"', 'everyone');
  const { pin } = await server.createUserWithPin('alice');
  const stateDir = path.join(path.dirname(server.dataDir), 'agent');
  const ports = { http: new FlakyBlobs(1), spawner: new NodeSpawner(), clock: systemClock, state: new FileStateStore(stateDir, quiet), secrets: new FileSecretStore(stateDir), logger: quiet };
  agent = new AgentService(ports, { firstRetryDelayMs: 10 });
  ({ deviceId } = await agent.enroll({ serverUrl, username: 'alice', pin }));
});

afterAll(async () => {
  await agent?.stop();
  await server?.stop();
});

describe('blob download against a server that is down for a moment', () => {
  it('rejects nothing and runs the "execute once" script at the next check-in', async () => {
    await agent.checkInNow();
    const logs = async () => (await server.adminOk<{ logs: { kind: string; event?: { type: string }; result?: ScriptResult }[] }>('GET', `/devices/${deviceId}/logs`)).logs;
    expect((await logs()).filter((l) => l.event?.type === 'ticket.rejected')).toEqual([]);
    expect((await logs()).filter((l) => l.kind === 'script_result')).toEqual([]);
    await agent.checkInNow();
    await agent.checkInNow();
    const results = (await logs()).flatMap((l) => (l.result ? [l.result] : []));
    expect(results.map((r) => [r.status, r.stdout])).toEqual([['completed', 'ran once\n']]);
    expect((await logs()).filter((l) => l.event?.type === 'ticket.rejected')).toEqual([]);
  });
});
