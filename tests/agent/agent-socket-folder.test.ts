// The daemon's socket folder: what the server refuses to start in (a link, a writable or foreign folder, a live or strange socket) and the stale socket it takes over.
import { spawn } from 'node:child_process';
import { chmod, chown, lstat, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { socketPathIn } from '../../src/agent/transport/agent-socket-paths';
import { startAgentSocketServer } from '../../src/agent/transport/agent-socket-server';
import type { AgentSocketServer } from '../../src/agent/transport/agent-socket-server';
import { FakeAgentService } from '../support/fake-agent-service';
import { ChildProcesses, lookUpUser, rawGet, STATUS_PATH, tokenOf, WAIT_MS } from './agent-socket-kit';

const ownUid = process.getuid!();
const nobody = lookUpUser('nobody');
const service = new FakeAgentService();
const children = new ChildProcesses();
const servers: AgentSocketServer[] = [];
let root: string;

const start = async (folder: string): Promise<AgentSocketServer> => {
  const server = await startAgentSocketServer({ service, folder, allowedUids: [] });
  servers.push(server);
  return server;
};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'atwork-socket-folder-'));
});

afterAll(async () => {
  children.killAll();
  await Promise.all(servers.map((server) => server.close()));
  await rm(root, { recursive: true, force: true });
});

describe('the socket folder', () => {
  it('is made 0755 when missing, also under a strict umask', async () => {
    const previous = process.umask(0o077);
    try {
      await start(join(root, 'new-run'));
    } finally {
      process.umask(previous);
    }
    expect((await lstat(join(root, 'new-run'))).mode & 0o777).toBe(0o755);
  });

  it('is refused when it is a symbolic link', async () => {
    await mkdir(join(root, 'real-run'), { mode: 0o755 });
    await symlink(join(root, 'real-run'), join(root, 'linked-run'));
    await expect(start(join(root, 'linked-run'))).rejects.toThrow(/^Refused to serve the agent on its socket: .*linked-run is a symbolic link, not a folder\.$/);
  });

  it('is refused when other users may write it', async () => {
    await mkdir(join(root, 'open-run'));
    await chmod(join(root, 'open-run'), 0o777);
    await expect(start(join(root, 'open-run'))).rejects.toThrow(/open-run can be written by other users \(mode 0777\)\.$/);
  });

  it.skipIf(ownUid !== 0 || nobody === null)('is refused when another user owns it', async () => {
    await mkdir(join(root, 'their-run'), { mode: 0o755 });
    await chown(join(root, 'their-run'), nobody!.uid, nobody!.gid);
    await expect(start(join(root, 'their-run'))).rejects.toThrow(`their-run is owned by uid ${nobody!.uid}, not by the agent's uid 0.`);
  });
});

describe('the socket file', () => {
  it('is left alone, and the server refused, when it is not a socket', async () => {
    await mkdir(join(root, 'file-run'), { mode: 0o755 });
    await writeFile(socketPathIn(join(root, 'file-run')), 'not a socket');
    await expect(start(join(root, 'file-run'))).rejects.toThrow(/agent\.sock is not a socket\.$/);
    expect(await readFile(socketPathIn(join(root, 'file-run')), 'utf8')).toBe('not a socket');
  });

  it('is refused to a second server while the first one answers on it, which keeps serving', async () => {
    const folder = join(root, 'busy-run');
    const first = await start(folder);
    await expect(start(folder)).rejects.toThrow(/agent\.sock is the socket of an agent that is still running; stop it first\.$/);
    const response = await rawGet(first.socketPath, STATUS_PATH, { Authorization: `Bearer ${await tokenOf(folder, ownUid)}` });
    expect(response.status).toBe(200);
  });

  it('is taken over when a killed daemon left it behind', async () => {
    const folder = join(root, 'stale-run');
    await mkdir(folder, { mode: 0o755 });
    const listen = `require('node:net').createServer().listen(${JSON.stringify(socketPathIn(folder))}, () => console.log('ready'))`;
    const holder = children.track(spawn(process.execPath, ['-e', listen], { timeout: WAIT_MS }));
    await new Promise<void>((resolve, reject) => {
      holder.stdout!.once('data', () => resolve());
      holder.once('exit', () => reject(new Error('the socket holder exited before it listened')));
    });
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));
    expect((await lstat(socketPathIn(folder))).isSocket()).toBe(true);

    const taken = await start(folder);
    const response = await rawGet(taken.socketPath, STATUS_PATH, { Authorization: `Bearer ${await tokenOf(folder, ownUid)}` });
    expect(response.status).toBe(200);
  });
});
