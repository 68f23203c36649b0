// Installing an app over real HTTP: ticket, streamed download (capped, resumed), sha256, installer, reports, progress, and check-ins meanwhile.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandInstaller, platformInstaller, UNSUPPORTED_MESSAGE } from '../../src/agent/apps/package-installer';
import type { AgentService } from '../../src/agent/service/agent-service';
import type { InstallProgress } from '../../src/shared/agent-service-contract';
import { sha256Hex } from '../../src/shared/node/blob-cipher';
import { DEVICE_API_PREFIX } from '../../src/shared/protocol';
import { tempDir, waitUntil } from './agent-test-kit';
import { enrolledOverHttp, type FakeApp } from './fake-device-server';

const PACKAGE = randomBytes(300 * 1024);

function notes(overrides: Partial<FakeApp> = {}): FakeApp {
  return { id: 'app-notes', name: 'Notes', version: '2.1.0', package: PACKAGE, ...overrides };
}

/** A shell script installer in `dir` that records its arguments and what it was given, then runs `then`. */
async function recordingInstaller(dir: string, then = 'exit 0'): Promise<string> {
  const script = join(dir, 'test-installer.sh');
  await writeFile(script, `#!/bin/sh\nprintf '%s\\n' "$#" "$1" > '${dir}/args'\nsha256sum "$1" | cut -d' ' -f1 > '${dir}/installed-sha256'\n${then}\n`, { mode: 0o755 });
  return script;
}

/** Polls getInstalls until `appId` is installed or failed, then lets the agent's queued work (the report) settle; resolves with that outcome. */
async function finished(agent: AgentService, appId: string): Promise<InstallProgress> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const install = (await agent.getInstalls()).find((i) => i.appId === appId);
    if (install !== undefined && (install.phase === 'installed' || install.phase === 'failed')) {
      await agent.stop();
      return install;
    }
    if (Date.now() > deadline) throw new Error(`the install of ${appId} did not end: ${JSON.stringify(install)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('installApp', () => {
  it('downloads, checks and installs the package with the test installer, reports each step, and removes the file', async () => {
    const dir = await tempDir();
    const installer = platformInstaller('linux', { ATWORK_TEST_INSTALLER: await recordingInstaller(dir) });
    const { agent, server, stateDir, logger } = await enrolledOverHttp(installer);
    server.addApp(notes());
    const seen: InstallProgress[][] = [];
    agent.onInstallsChanged((installs) => seen.push(installs));

    const started = await agent.installApp('app-notes');
    expect(started).toMatchObject({ appId: 'app-notes', name: 'Notes', version: '2.1.0', phase: 'downloading', totalBytes: PACKAGE.length, endedAt: null });
    const outcome = await finished(agent, 'app-notes');

    expect(outcome).toMatchObject({ phase: 'installed', receivedBytes: PACKAGE.length, message: null, endedAt: expect.any(String) });
    const [count, file] = (await readFile(join(dir, 'args'), 'utf8')).trim().split('\n');
    expect(count).toBe('1');
    expect(file).toBe(join(stateDir, 'packages', `${sha256Hex(PACKAGE)}.pkg`));
    expect((await readFile(join(dir, 'installed-sha256'), 'utf8')).trim()).toBe(sha256Hex(PACKAGE));
    expect(existsSync(file!)).toBe(false);
    expect((await stat(join(stateDir, 'packages'))).mode & 0o777).toBe(0o700);
    expect(server.installReports('app-notes').map((r) => r.state)).toEqual(['installing', 'installed']);
    expect(server.installReports('app-notes')[1]).toMatchObject({ version: '2.1.0', message: null });
    expect(seen.flat().map((i) => i.phase)).toEqual(expect.arrayContaining(['downloading', 'verifying', 'installing', 'installed']));
    expect(logger.lines.map((l) => l.message)).toEqual(expect.arrayContaining(['downloading a package', 'checking a downloaded package', 'installing a package', 'installed an app']));
  });

  it('writes the package to a 0600 file while it downloads', async () => {
    const dir = await tempDir();
    const { agent, server, stateDir } = await enrolledOverHttp(new CommandInstaller(await recordingInstaller(dir, `ls -l "$1" | cut -c1-10 > '${dir}/mode'`), (f) => [f]));
    server.addApp(notes());
    await agent.installApp('app-notes');
    expect((await finished(agent, 'app-notes')).phase).toBe('installed');
    expect((await readFile(join(dir, 'mode'), 'utf8')).trim()).toBe('-rw-------');
    expect(await readdir(join(stateDir, 'packages'))).toEqual([]);
  });

  it('removes a package an agent killed mid-install left behind, before any install runs', async () => {
    const dir = await tempDir();
    const leftover = async (stateDir: string): Promise<void> => {
      await mkdir(join(stateDir, 'packages'), { recursive: true, mode: 0o700 });
      await writeFile(join(stateDir, 'packages', `${sha256Hex(PACKAGE)}.pkg`), PACKAGE.subarray(0, 1000), { mode: 0o600 });
    };
    const { agent, stateDir, logger } = await enrolledOverHttp(new CommandInstaller(await recordingInstaller(dir), (f) => [f]), leftover);
    await agent.stop();
    expect(await readdir(join(stateDir, 'packages'))).toEqual([]);
    expect(logger.lines).toContainEqual({ level: 'info', message: 'removed packages left by an interrupted install', fields: { count: 1 } });
  });

  it('tells byte progress at most about five times a second', async () => {
    const dir = await tempDir();
    const { agent, server } = await enrolledOverHttp(new CommandInstaller(await recordingInstaller(dir), (f) => [f]));
    server.addApp(notes({ chunkDelayMs: 40 }));
    const downloading: number[] = [];
    agent.onInstallsChanged((installs) => {
      if (installs[0]?.phase === 'downloading') downloading.push(Date.now());
    });
    const startedAt = Date.now();
    await agent.installApp('app-notes');
    expect((await finished(agent, 'app-notes')).phase).toBe('installed');
    // 19 chunks over about 0.8 s: a few events, not one per chunk.
    const seconds = (Date.now() - startedAt) / 1000;
    expect(downloading.length).toBeGreaterThanOrEqual(2);
    expect(downloading.length).toBeLessThanOrEqual(Math.ceil(seconds * 5) + 2);
    expect(downloading.length).toBeLessThan(19);
  });

  it('refuses a package whose sha256 is not the signed one, deletes it and never runs the installer', async () => {
    const dir = await tempDir();
    const { agent, server, stateDir } = await enrolledOverHttp(new CommandInstaller(await recordingInstaller(dir), (f) => [f]));
    server.addApp(notes({ served: randomBytes(PACKAGE.length) }));
    await agent.installApp('app-notes');
    const outcome = await finished(agent, 'app-notes');
    expect(outcome).toMatchObject({ phase: 'failed', message: expect.stringMatching(/does not match the sha256/) });
    expect(existsSync(join(dir, 'args'))).toBe(false);
    expect(await readdir(join(stateDir, 'packages'))).toEqual([]);
    expect(server.installReports('app-notes').at(-1)).toMatchObject({ state: 'failed', message: expect.stringMatching(/sha256/) });
  });

  it('stops a download that runs past the signed size mid-stream', async () => {
    const dir = await tempDir();
    const { agent, server, stateDir } = await enrolledOverHttp(new CommandInstaller(await recordingInstaller(dir), (f) => [f]));
    server.addApp(notes({ served: Buffer.concat([PACKAGE, randomBytes(200 * 1024)]) }));
    await agent.installApp('app-notes');
    const outcome = await finished(agent, 'app-notes');
    expect(outcome).toMatchObject({ phase: 'failed', message: expect.stringMatching(/more than the \d+ bytes|larger than/) });
    expect(outcome.receivedBytes).toBeLessThanOrEqual(PACKAGE.length);
    expect(existsSync(join(dir, 'args'))).toBe(false);
    expect(await readdir(join(stateDir, 'packages'))).toEqual([]);
    expect(server.packageDownloads('app-notes')).toHaveLength(1);
  });

  it('resumes with a Range request after the server drops the connection mid-download', async () => {
    const dir = await tempDir();
    const { agent, server, logger } = await enrolledOverHttp(new CommandInstaller(await recordingInstaller(dir), (f) => [f]));
    server.addApp(notes({ dropAfter: 100 * 1024 }));
    await agent.installApp('app-notes');
    expect((await finished(agent, 'app-notes')).phase).toBe('installed');
    const downloads = server.packageDownloads('app-notes');
    expect(downloads.length).toBe(2);
    expect(downloads[0]!.range).toBeUndefined();
    expect(downloads[1]!.range).toMatch(/^bytes=(\d+)-$/);
    expect(Number(/^bytes=(\d+)-$/.exec(downloads[1]!.range!)![1])).toBeGreaterThan(0);
    expect((await readFile(join(dir, 'installed-sha256'), 'utf8')).trim()).toBe(sha256Hex(PACKAGE));
    expect(logger.lines.map((l) => l.message)).toContain('package download broke off; resuming');
  });

  it('answers a second click with the install already under way', async () => {
    const dir = await tempDir();
    const gate = join(dir, 'gate');
    const { agent, server } = await enrolledOverHttp(new CommandInstaller(await recordingInstaller(dir, `while [ ! -e '${gate}' ]; do sleep 0.05; done`), (f) => [f]));
    server.addApp(notes());
    const [first, second] = await Promise.all([agent.installApp('app-notes'), agent.installApp('app-notes')]);
    expect(second).toEqual(first);
    const third = await agent.installApp('app-notes');
    expect(third.startedAt).toBe(first.startedAt);
    await writeFile(gate, '');
    expect((await finished(agent, 'app-notes')).phase).toBe('installed');
    expect(server.api.calls('POST', `/api/device/v1/catalog/apps/app-notes/install-ticket`)).toHaveLength(1);
    expect(server.packageDownloads('app-notes')).toHaveLength(1);
  });

  it("shows the failing installer's own message", async () => {
    const dir = await tempDir();
    const { agent, server } = await enrolledOverHttp(new CommandInstaller(await recordingInstaller(dir, "echo 'installer: Error - the package is damaged' >&2; exit 1"), (f) => [f]));
    server.addApp(notes());
    await agent.installApp('app-notes');
    const outcome = await finished(agent, 'app-notes');
    expect(outcome).toMatchObject({ phase: 'failed', message: 'The installer exited with code 1: installer: Error - the package is damaged' });
    expect(server.installReports('app-notes').at(-1)).toMatchObject({ state: 'failed', message: outcome.message });
  });

  it('checks in while an install is still in its installer', async () => {
    const dir = await tempDir();
    const gate = join(dir, 'gate');
    const { agent, server } = await enrolledOverHttp(new CommandInstaller(await recordingInstaller(dir, `while [ ! -e '${gate}' ]; do sleep 0.05; done`), (f) => [f]));
    server.addApp(notes());
    await agent.installApp('app-notes');
    await waitUntil('the installer to start', () => existsSync(join(dir, 'args')));
    const checkins = server.api.calls('POST', `${DEVICE_API_PREFIX}/checkin`).length;
    const status = await agent.checkInNow();
    expect(status.lastCheckinError).toBeNull();
    expect(server.api.calls('POST', `${DEVICE_API_PREFIX}/checkin`).length).toBe(checkins + 1);
    expect((await agent.getInstalls())[0]?.phase).toBe('installing');
    await writeFile(gate, '');
    expect((await finished(agent, 'app-notes')).phase).toBe('installed');
  });

  it('fails with "macOS only" off macOS without ATWORK_TEST_INSTALLER, and never runs /usr/sbin/installer elsewhere', async () => {
    const { agent, server } = await enrolledOverHttp(platformInstaller('linux', {}));
    server.addApp(notes());
    await agent.installApp('app-notes');
    expect(await finished(agent, 'app-notes')).toMatchObject({ phase: 'failed', message: UNSUPPORTED_MESSAGE });
    expect(server.installReports('app-notes').at(-1)).toMatchObject({ state: 'failed', message: UNSUPPORTED_MESSAGE });
    // On macOS the environment cannot swap the installer: it is always /usr/sbin/installer.
    const mac = await platformInstaller('darwin', { ATWORK_TEST_INSTALLER: '/bin/true' }).install('/tmp/none.pkg');
    expect(mac).toMatchObject({ installed: false, message: expect.stringContaining('/usr/sbin/installer') });
  });
});
