// Shared pieces of the agent tests: per-test temp folders, a silent logger, a process liveness probe and a fake device API.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { AgentState } from '../../src/agent/core/agent-state';
import { HttpFailure, type DownloadRequest, type DownloadResponse, type HttpClient, type HttpRequest, type HttpResponse, type LogFields, type Logger } from '../../src/agent/core/ports';

const made: string[] = [];

/** A fresh temp folder removed after the current test. */
export async function tempDir(prefix = 'atwork-agent-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

export interface LogLine {
  level: string;
  message: string;
  fields?: LogFields;
}

export function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const log = (level: string) => (message: string, fields?: LogFields) => void lines.push({ level, message, fields });
  return { lines, info: log('info'), warn: log('warn'), error: log('error') };
}

/** Whether `pid` is a live process; a zombie nobody reaped (no init reaper in some containers) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

export async function waitUntil(what: string, probe: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

export interface FakeAnswer {
  status: number;
  body: unknown;
  /** Response headers by lower-case name, e.g. retry-after. */
  headers?: Record<string, string>;
}

export type FakeRoute = (request: RecordedRequest) => FakeAnswer | Promise<FakeAnswer>;

/** An HttpClient that answers from per-route handlers and records every request; it enforces the byte cap as the port promises. */
export class FakeDeviceApi implements HttpClient {
  readonly requests: RecordedRequest[] = [];
  readonly routes = new Map<string, FakeRoute>();

  on(method: HttpRequest['method'], path: string, route: FakeRoute): this {
    this.routes.set(`${method} ${path}`, route);
    return this;
  }

  calls(method: string, path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path === path);
  }

  async request(request: HttpRequest): Promise<HttpResponse> {
    const url = new URL(request.url);
    const recorded: RecordedRequest = {
      method: request.method,
      path: url.pathname,
      authorization: request.headers.authorization,
      body: request.body === undefined ? undefined : JSON.parse(request.body),
    };
    this.requests.push(recorded);
    const route = this.routes.get(`${request.method} ${url.pathname}`);
    if (route === undefined) return { status: 404, body: Buffer.from(JSON.stringify({ error: 'not_found', message: 'no such route' })) };
    const answer = await route(recorded);
    const body = Buffer.isBuffer(answer.body) ? answer.body : Buffer.from(JSON.stringify(answer.body));
    if (body.length > request.maxResponseBytes) throw new HttpFailure('too_large', `response is larger than the ${request.maxResponseBytes} bytes allowed`);
    return { status: answer.status, body, headers: answer.headers ?? {} };
  }

  /** The routes' answer as one chunk; streaming, ranges and dropped connections are tested over real HTTP (fake-device-server.ts). */
  async download(request: DownloadRequest): Promise<DownloadResponse> {
    const { status, body, headers } = await this.request({ method: 'GET', url: request.url, headers: request.headers, timeoutMs: request.idleTimeoutMs, maxResponseBytes: request.maxBytes });
    return { status, headers: headers ?? {}, body: (async function* () { yield body; })(), cancel: () => undefined };
  }
}

/** The state of a device enrolled with `serverUrl` that never checked in, as one state.json held it before issue 10 (the agent migrates it). */
export function enrolledState(serverUrl: string, enrolledAt = '2026-11-24T10:00:00.000Z'): AgentState {
  return {
    serverUrl,
    deviceId: 'device-1',
    tenantId: 'tenant-1',
    tenantRootCertificate: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n',
    agentConfig: null,
    enrolledAt,
    enrollmentMethod: 'pin',
    lastCheckinAt: null,
    lastCheckinError: null,
    nextCheckinAt: null,
    replay: { highestSeq: 0, jtis: [] },
    handled: [],
    recentRuns: [],
  };
}
