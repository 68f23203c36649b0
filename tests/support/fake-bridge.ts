// The real browser bridge over a FakeAgentService, serving an empty page: what the bridge client and the service-error
// tests talk to. The bridge's own tests build a richer static folder of their own.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startBrowserBridge, type BrowserBridge } from '../../src/agent/transport/browser-bridge-server';
import { readBridgeToken } from '../../src/renderer/bridge-client';
import { FakeAgentService } from './fake-agent-service';

export interface FakeBridge {
  service: FakeAgentService;
  bridge: BrowserBridge;
  /** http://127.0.0.1:PORT */
  baseUrl: string;
  token: string;
  /** Stops the bridge and starts a new one on the same port, as a restarted agent would: with a new token. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeBridge(service = new FakeAgentService()): Promise<FakeBridge> {
  const staticDir = await mkdtemp(path.join(tmpdir(), 'atwork-fake-bridge-'));
  await writeFile(path.join(staticDir, 'index.html'), '<!doctype html>');
  const bridge = await startBrowserBridge({ service, staticDir });
  const url = new URL(bridge.url);
  const fake: FakeBridge = {
    service,
    bridge,
    baseUrl: url.origin,
    token: readBridgeToken(url.hash) ?? '',
    restart: async () => {
      await fake.bridge.close();
      fake.bridge = await startBrowserBridge({ service, staticDir, port: Number(new URL(fake.baseUrl).port) });
    },
    close: async () => {
      await fake.bridge.close();
      await rm(staticDir, { recursive: true, force: true });
    },
  };
  return fake;
}
