// The daemon and the UI over the socket on Linux: a real agent in a temp folder, its undici client, the token files, and clients as `nobody` (issue 13).
import { spawn } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentService } from '../../src/agent/service/agent-service';
import { systemClock } from '../../src/agent/service/system-clock';
import { NodeSpawner } from '../../src/agent/runner/node-spawner';
import { FileSecretStore } from '../../src/agent/state/file-secret-store';
import { FileStateStore } from '../../src/agent/state/file-state-store';
import { createAgentSocketClient } from '../../src/agent/transport/agent-socket-client';
import type { AgentSocketClient } from '../../src/agent/transport/agent-socket-client';
import { tokenFileIn, usersFolderIn } from '../../src/agent/transport/agent-socket-paths';
import { startAgentSocketServer } from '../../src/agent/transport/agent-socket-server';
import type { AgentSocketServer } from '../../src/agent/transport/agent-socket-server';
import { AGENT_METHODS, ServiceError } from '../../src/shared/agent-service-contract';
import type { AgentStatus } from '../../src/shared/agent-status';
import { EVENTS_PATH } from '../../src/shared/agent-service-http';
import { DEVICE_API_PREFIX } from '../../src/shared/protocol';
import { ChildProcesses, lookUpUser, modeAndOwner, openEventStream, rawGet, REFUSED_BODY, STATUS_PATH, tokenOf as tokenIn, WAIT_MS } from './agent-socket-kit';
import type { RawResponse } from './agent-socket-kit';
import { recordingLogger } from './agent-test-kit';
import { FakeServer } from './fake-device-server';

const ownUid = process.getuid!();
const nobody = lookUpUser('nobody');
const asRootWithNobody = ownUid === 0 && nobody !== null;

let root: string;
let folder: string;
let fake: FakeServer;
let agent: AgentService;
let server: AgentSocketServer;
let client: AgentSocketClient;
const children = new ChildProcesses();
const tokenOf = (uid: number): Promise<string> => tokenIn(folder, uid);

beforeAll(async () => {
  // Reachable by `nobody` all the way down: /tmp, this folder (0755), then the socket folder the server makes.
  root = await mkdtemp(join(tmpdir(), 'atwork-socket-'));
  await chmod(root, 0o755);
  folder = join(root, 'run');
  const stateDir = join(root, 'state');
  const logger = recordingLogger();
  fake = new FakeServer();
  agent = new AgentService(
    { http: fake.api, spawner: new NodeSpawner(), clock: systemClock, state: new FileStateStore(stateDir, logger), secrets: new FileSecretStore(stateDir), logger },
    { scriptTempRoot: root, timeZone: () => 'UTC' },
  );
  server = await startAgentSocketServer({ service: agent, folder, allowedUids: [] });
  client = createAgentSocketClient({ folder, reconnect: { firstDelayMs: 20, maxDelayMs: 200 } });
});

afterAll(async () => {
  children.killAll();
  await client?.close();
  await server?.close();
  await agent?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('the daemon and the UI over the socket', () => {
  it('lays out a 0755 folder, a 0666 socket and a 0600 token file of the allowed uid in a folder of the daemon', async () => {
    expect(await modeAndOwner(folder)).toEqual({ mode: 0o755, uid: ownUid });
    expect((await lstat(server.socketPath)).isSocket()).toBe(true);
    expect(await modeAndOwner(server.socketPath)).toEqual({ mode: 0o666, uid: ownUid });
    expect(await modeAndOwner(usersFolderIn(folder))).toEqual({ mode: 0o711, uid: ownUid });
    expect(await modeAndOwner(tokenFileIn(folder, ownUid))).toEqual({ mode: 0o600, uid: ownUid });
    expect((await readFile(tokenFileIn(folder, ownUid), 'utf8')).trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('answers calls, maps an enroll refusal to its code and streams the status change', async () => {
    expect(await client.getStatus()).toMatchObject({ enrolled: false, deviceId: null });
    const version = await client.getVersionInfo();
    expect(AGENT_METHODS.getVersionInfo.result.parse(version).nodeVersion).toBe(process.versions.node);

    const enrollRoute = `POST ${DEVICE_API_PREFIX}/enroll`;
    const enroll = fake.api.routes.get(enrollRoute)!;
    fake.api.routes.set(enrollRoute, () => ({ status: 401, body: { error: 'unauthorized', message: 'The username or registration PIN is wrong.' } }));
    const params = { serverUrl: 'http://127.0.0.1:8443/', username: 'alice', pin: '123456' };
    await expect(client.enroll(params)).rejects.toMatchObject({ name: 'ServiceError', code: 'wrong_pin' });
    fake.api.routes.set(enrollRoute, enroll);

    const statuses: AgentStatus[] = [];
    const unsubscribe = client.onStatusChanged((status) => statuses.push(status));
    try {
      // The stream opens with the current value, so nothing is missed between the call above and the change below.
      await expect.poll(() => statuses.length, { timeout: WAIT_MS }).toBeGreaterThan(0);
      expect(statuses[0]).toMatchObject({ enrolled: false });
      expect(await client.enroll(params)).toEqual({ deviceId: fake.deviceId });
      await expect.poll(() => statuses.at(-1)?.deviceId, { timeout: WAIT_MS }).toBe(fake.deviceId);
    } finally {
      unsubscribe();
    }
    const again = await client.enroll(params).catch((error: unknown) => error);
    expect(again).toBeInstanceOf(ServiceError);
    expect(again).toMatchObject({ code: 'already_enrolled' });
  });

  const withToken = (scheme: string) => async (): Promise<Record<string, string>> => ({ Authorization: `${scheme} ${await tokenOf(ownUid)}` });
  it.each([
    ['no Authorization header', async () => ({})],
    ['a guessed token', async () => ({ Authorization: `Bearer ${'A'.repeat(43)}` })],
    ['the right token with another scheme', withToken('Basic')],
    ['the right token cut short', async () => ({ Authorization: `Bearer ${(await tokenOf(ownUid)).slice(0, 42)}` })],
  ])('refuses a request with %s in one sentence', async (_name, headers: () => Promise<Record<string, string>>) => {
    const response = await rawGet(server.socketPath, STATUS_PATH, await headers());
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body)).toEqual(REFUSED_BODY);
  });

  it('tells a UI without a token file why, in one sentence', async () => {
    const stranger = createAgentSocketClient({ folder, uid: 4242 });
    try {
      await expect(stranger.getStatus()).rejects.toThrow(/has no token for this user at .*users\/4242\/token; it lets in only the console user\.$/);
    } finally {
      await stranger.close();
    }
  });

  it('gives every allowed uid a new token on allowUsers: the old one is refused, the client reads the new one', async () => {
    const before = await tokenOf(ownUid);
    await server.allowUsers([]);
    const after = await tokenOf(ownUid);
    expect(after).not.toBe(before);
    expect((await rawGet(server.socketPath, STATUS_PATH, { Authorization: `Bearer ${before}` })).status).toBe(401);
    expect((await rawGet(server.socketPath, STATUS_PATH, { Authorization: `Bearer ${after}` })).status).toBe(200);
    expect(await client.getStatus()).toMatchObject({ deviceId: fake.deviceId });
  });

  it('refuses to let in something that is not a uid', async () => {
    await expect(server.allowUsers([-1])).rejects.toThrow('Refused to let uid -1 use the agent: a uid is a whole number from 0.');
    expect((await rawGet(server.socketPath, STATUS_PATH, { Authorization: `Bearer ${await tokenOf(ownUid)}` })).status).toBe(200);
  });

  it('reopens the event stream after the daemon restarts and hears the current status again', async () => {
    const statuses: AgentStatus[] = [];
    const unsubscribe = client.onStatusChanged((status) => statuses.push(status));
    try {
      await expect.poll(() => statuses.length, { timeout: WAIT_MS }).toBe(1);
      await server.close();
      server = await startAgentSocketServer({ service: agent, folder, allowedUids: [] });
      // A new daemon, a new token: the client reads it again on the 401 and reopens the stream.
      await expect.poll(() => statuses.length, { timeout: WAIT_MS }).toBe(2);
      expect(statuses[1]).toMatchObject({ deviceId: fake.deviceId });
    } finally {
      unsubscribe();
    }
  });

  it('keeps at most 16 event streams open and refuses the next in one sentence', async () => {
    const token = await tokenOf(ownUid);
    const open = await Promise.all(Array.from({ length: 16 }, () => openEventStream(server.socketPath, token)));
    try {
      expect(open.map((stream) => stream.status)).toEqual(Array(16).fill(200));
      const refused = await rawGet(server.socketPath, EVENTS_PATH, { Authorization: `Bearer ${token}` });
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.body)).toEqual({ error: 'Refused the event stream: 16 are open already; close one first.' });
    } finally {
      for (const stream of open) stream.close();
    }
  });
});

describe.skipIf(!asRootWithNobody)('a client running as another uid (nobody)', () => {
  const clientDir = (): string => join(root, 'client');

  beforeAll(async () => {
    await mkdir(clientDir(), { mode: 0o755 });
    await writeFile(join(clientDir(), 'raw-client.mjs'), RAW_CLIENT, { mode: 0o644 });
    // The real client, bundled with undici and zod into one file nobody can read, wherever this checkout lives.
    await writeFile(join(clientDir(), 'real-client.ts'), REAL_CLIENT(resolve(import.meta.dirname, '../../src/agent/transport/agent-socket-client.ts')), { mode: 0o644 });
    await build({ entryPoints: [join(clientDir(), 'real-client.ts')], outfile: join(clientDir(), 'real-client.cjs'), bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'silent' });
    await chmod(join(clientDir(), 'real-client.cjs'), 0o644);
  });

  /** Runs one of the clients as nobody with its JSON argument; resolves with what it printed (never a token). */
  async function runAsNobody<Report>(file: string, argument: object): Promise<Report> {
    const child = children.track(
      spawn(process.execPath, [join(clientDir(), file), JSON.stringify(argument)], {
        uid: nobody!.uid,
        gid: nobody!.gid,
        cwd: clientDir(),
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: WAIT_MS,
      }),
    );
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.once('close', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    return JSON.parse(stdout) as Report;
  }

  const runRawClient = (): Promise<RawClientReport> =>
    runAsNobody('raw-client.mjs', { socketPath: server.socketPath, path: STATUS_PATH, rootTokenFile: tokenFileIn(folder, 0), ownTokenFile: tokenFileIn(folder, nobody!.uid) });

  it('is refused while only root is let in, and cannot read root token file', async () => {
    await server.allowUsers([]);
    const report = await runRawClient();
    expect(report.uid).toBe(nobody!.uid);
    expect(report.noToken.status).toBe(401);
    expect(report.guessedToken.status).toBe(401);
    expect(report.rootTokenRead).toBe('EACCES');
    expect(report.ownTokenRead).toBe('ENOENT');
  });

  it("uses the agent through the real client as the console user: a call, and the current status as an event", async () => {
    await server.allowUsers([nobody!.uid]);
    const report = await runAsNobody<{ uid: number; status: AgentStatus; event: AgentStatus }>('real-client.cjs', { folder });
    expect(report.uid).toBe(nobody!.uid);
    expect(report.status.deviceId).toBe(fake.deviceId);
    expect(report.event.deviceId).toBe(fake.deviceId);
  });

  it('is let in as the console user, with its own token only, until the console user changes', async () => {
    await server.allowUsers([nobody!.uid]);
    expect(await modeAndOwner(tokenFileIn(folder, nobody!.uid))).toEqual({ mode: 0o600, uid: nobody!.uid });
    const report = await runRawClient();
    expect(report.ownTokenRead).toBe('read');
    expect(report.withOwnToken?.status).toBe(200);
    expect(JSON.parse(report.withOwnToken!.body)).toMatchObject({ deviceId: fake.deviceId });
    expect(report.rootTokenRead).toBe('EACCES');

    const theirs = await tokenOf(nobody!.uid);
    const stream = await openEventStream(server.socketPath, theirs);
    expect(stream.status).toBe(200);
    await server.allowUsers([]);
    // Their open event stream ends with their access.
    await stream.ended;
    await expect(stat(tokenFileIn(folder, nobody!.uid))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await rawGet(server.socketPath, STATUS_PATH, { Authorization: `Bearer ${theirs}` })).status).toBe(401);
    expect((await runRawClient()).ownTokenRead).toBe('ENOENT');
  });
});

interface RawClientReport {
  uid: number;
  noToken: RawResponse;
  guessedToken: RawResponse;
  rootTokenRead: string;
  ownTokenRead: string;
  withOwnToken: RawResponse | null;
}

/** The socket client as the UI's main process uses it: one call, then the first event, then closed. */
const REAL_CLIENT = (clientModule: string): string => `
import { createAgentSocketClient } from ${JSON.stringify(clientModule)};
async function main() {
  const { folder } = JSON.parse(process.argv[2]);
  const client = createAgentSocketClient({ folder });
  const status = await client.getStatus();
  const event = await new Promise((resolve) => {
    const unsubscribe = client.onStatusChanged((payload) => {
      unsubscribe();
      resolve(payload);
    });
  });
  await client.close();
  process.stdout.write(JSON.stringify({ uid: process.getuid(), status, event }));
}
void main();
`;

/** Node's own http over the socket, with no token handling of ours: what any local process could send. */
const RAW_CLIENT = `
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
const { socketPath, path, rootTokenFile, ownTokenFile } = JSON.parse(process.argv[2]);
const get = (token) => new Promise((resolve) => {
  const headers = token === undefined ? {} : { authorization: 'Bearer ' + token };
  const req = request({ socketPath, path, headers }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => (body += chunk));
    res.on('end', () => resolve({ status: res.statusCode, body }));
  });
  req.setTimeout(${WAIT_MS}, () => req.destroy(new Error('timed out')));
  req.on('error', (error) => resolve({ status: 0, body: error.message }));
  req.end();
});
const read = (file) => {
  try {
    return { token: readFileSync(file, 'utf8').trim() };
  } catch (error) {
    return { code: error.code };
  }
};
const own = read(ownTokenFile);
process.stdout.write(JSON.stringify({
  uid: process.getuid(),
  noToken: await get(),
  guessedToken: await get('A'.repeat(43)),
  rootTokenRead: read(rootTokenFile).code ?? 'read',
  ownTokenRead: own.code ?? 'read',
  withOwnToken: own.token === undefined ? null : await get(own.token),
}));
`;
