// The socket client against a daemon that misbehaves: not running, a bad token file, answers and events the contract does not allow, oversized answers.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AgentSocketError, createAgentSocketClient } from '../../src/agent/transport/agent-socket-client';
import type { AgentSocketClient } from '../../src/agent/transport/agent-socket-client';
import { socketPathIn, tokenFileIn } from '../../src/agent/transport/agent-socket-paths';
import { EVENTS_PATH, routeOf } from '../../src/shared/agent-service-http';
import type { AgentStatus } from '../../src/shared/agent-status';
import { makeStatus } from '../support/fake-agent-service';
import { WAIT_MS } from './agent-socket-kit';

const ownUid = process.getuid!();
const token = randomBytes(32).toString('base64url');
let root: string;
let folder: string;
let daemon: Server;
let client: AgentSocketClient;
/** What the fake daemon answers a request for a path with; set per test. */
let answer: (path: string, response: ServerResponse) => void;
const openStreams = new Set<ServerResponse>();
/** The paths the fake daemon was asked for, with the token, in order. */
const paths: string[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'atwork-socket-client-'));
  folder = join(root, 'run');
  await mkdir(dirname(tokenFileIn(folder, ownUid)), { recursive: true });
  daemon = createServer((request, response) => {
    if (request.headers.authorization !== `Bearer ${token}`) return void response.writeHead(401).end('{"error":"Missing or wrong agent token."}');
    paths.push(request.url ?? '/');
    answer(request.url ?? '/', response);
  });
  await new Promise<void>((resolve) => daemon.listen(socketPathIn(folder), resolve));
});

afterEach(async () => {
  await client?.close();
  for (const stream of openStreams) stream.end();
  paths.length = 0;
});

afterAll(async () => {
  daemon.closeAllConnections();
  await new Promise((resolve) => daemon.close(resolve));
  await rm(root, { recursive: true, force: true });
});

async function connect(tokenText = token): Promise<AgentSocketClient> {
  await writeFile(tokenFileIn(folder, ownUid), `${tokenText}\n`, { mode: 0o600 });
  client = createAgentSocketClient({ folder, reconnect: { firstDelayMs: 10, maxDelayMs: 50 } });
  return client;
}

function json(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'Content-Type': 'application/json' }).end(body);
}

describe('the socket client', () => {
  it('says the daemon does not answer when no one listens on the socket', async () => {
    const elsewhere = join(root, 'no-daemon');
    await mkdir(dirname(tokenFileIn(elsewhere, ownUid)), { recursive: true });
    await writeFile(tokenFileIn(elsewhere, ownUid), token);
    client = createAgentSocketClient({ folder: elsewhere });
    await expect(client.getStatus()).rejects.toThrow(/^The agent daemon does not answer on .*agent\.sock \(.*\); is it running\?$/);
  });

  it('refuses a token file that is not what the daemon writes, before it connects', async () => {
    answer = (_path, response) => json(response, 200, JSON.stringify(makeStatus()));
    await expect((await connect('short')).getStatus()).rejects.toThrow(/^The agent token .*token is not one the daemon writes\.$/);
    expect(paths).toEqual([]);
  });

  it('passes the daemon refusal on in its own words, with the status', async () => {
    answer = (_path, response) => json(response, 400, '{"error":"Refused enroll: its arguments are not what the method takes."}');
    const failure = await (await connect()).getStatus().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AgentSocketError);
    expect(failure).toMatchObject({ status: 400, message: 'Refused enroll: its arguments are not what the method takes.' });
  });

  it.each([
    ['an answer the contract does not allow', '{"enrolled":"maybe"}', /answered getStatus with something the contract does not allow/],
    ['an answer that is not JSON', 'null, or so', /answered getStatus with something the contract does not allow/],
  ])('refuses %s', async (_name, body, message) => {
    answer = (_path, response) => json(response, 200, body);
    await expect((await connect()).getStatus()).rejects.toThrow(message);
  });

  it('reads a nullable answer as null only when the daemon sent null', async () => {
    answer = (_path, response) => json(response, 200, 'not json');
    await expect((await connect()).getOnboarding()).rejects.toThrow(/contract does not allow/);
    answer = (_path, response) => json(response, 200, 'null');
    await expect(client.getOnboarding()).resolves.toBeNull();
  });

  it('stops reading an answer larger than 8 MiB', async () => {
    answer = (_path, response) => json(response, 200, `"${'x'.repeat(9 * 1024 * 1024)}"`);
    await expect((await connect()).getStatus()).rejects.toThrow(/answer is larger than 8388608 bytes/);
  });

  it('posts a method with arguments as a JSON array', async () => {
    let received = '';
    answer = (_path, response) => json(response, 404, '{"error":{"code":"not_found","message":"No such app."}}');
    daemon.once('request', (request) => request.on('data', (chunk: Buffer) => (received += chunk.toString())));
    await expect((await connect()).getAppDetails('app-notes')).rejects.toMatchObject({ name: 'ServiceError', code: 'not_found', message: 'No such app.' });
    expect(JSON.parse(received)).toEqual(['app-notes']);
    expect(paths).toEqual([routeOf('getAppDetails').path]);
  });

  it('skips events the contract does not allow and closes the stream with its last listener', async () => {
    answer = (_path, response) => {
      openStreams.add(response);
      response.once('close', () => openStreams.delete(response));
      response.writeHead(200, { 'Content-Type': 'text/event-stream' });
      response.write(': keep-alive\n\n');
      response.write('event: status-changed\ndata: {"enrolled":"maybe"}\n\n');
      response.write('event: no-such-event\ndata: {}\n\n');
      response.write('event: status-changed\ndata: not json\n\n');
      response.write(`event: status-changed\r\ndata: ${JSON.stringify(makeStatus({ deviceId: 'dev-valid' }))}\r\n\r\n`);
    };
    const statuses: AgentStatus[] = [];
    const unsubscribe = (await connect()).onStatusChanged((status) => statuses.push(status));
    await expect.poll(() => statuses.map((status) => status.deviceId), { timeout: WAIT_MS }).toEqual(['dev-valid']);
    expect(openStreams.size).toBe(1);
    expect(paths).toEqual([EVENTS_PATH]);
    unsubscribe();
    await expect.poll(() => openStreams.size, { timeout: WAIT_MS }).toBe(0);
  });
});
