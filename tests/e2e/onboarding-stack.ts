// The real stack of the onboarding e2e spec: the server in this process (with a clock the spec can move), a Mac per
// case set up through the admin API (its user, agent configuration, apps and enrollment file), and the agent host of
// each Mac as a child process (onboarding-agent-host.ts) that can be stopped, killed and started again.
import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AdminClient } from '../../src/server/admin-api/admin-api-client';
import { startServer, type AtworkServer } from '../../src/server/app/server-app';
import { waitFor } from '../support/wait-for';
import { repoRoot } from './start-stack';

const HOST_START_TIMEOUT_MS = 30_000;
const INSTALLER = path.join(repoRoot, 'tests/e2e/fixtures/onboarding-installer.sh');

export interface OnboardingServer {
  url: string;
  admin: AdminClient;
  /** Moves the server's clock this far ahead of the real one (0 puts it back). */
  setClockOffset(ms: number): void;
  /** Every Mac's folders are under here. */
  dir: string;
  close(): Promise<void>;
}

export async function startOnboardingServer(): Promise<OnboardingServer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'atwork-e2e-onboarding-'));
  let offsetMs = 0;
  const server: AtworkServer = await startServer({ dataDir: path.join(dir, 'server'), now: () => new Date(Date.now() + offsetMs), log: { level: 'warn', stream: null } });
  const url = await server.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    admin: new AdminClient(url, server.createdAdminToken!),
    setClockOffset: (ms) => (offsetMs = ms),
    dir,
    close: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface AppSpec {
  name: string;
  type: 'pkg' | 'packager';
  priority: 'high' | 'normal';
  /** A pkg app's package is uploaded unless this is false (an app whose package the administrator has not uploaded yet). */
  upload?: boolean;
}

export interface MacApp {
  id: string;
  name: string;
  /** The pkg app's package, uploaded or not; null for a Packager app. */
  pkg: { bytes: Buffer; sha256: string } | null;
}

export interface OnboardingSettings {
  enabled: boolean;
  timeoutSeconds: number;
  landingPageUrl: string | null;
  startWindowMinutes: number;
}

/** One Mac of a case: its user with an agent configuration and apps distributed to that user alone, and its folders. */
export interface Mac {
  username: string;
  userId: string;
  apps: Record<string, MacApp>;
  stateDir: string;
  /** The installer's record folder (onboarding-installer.sh). */
  recordDir: string;
  /** The PKG's enrollment file ({serverUrl, token}, 0600), written by writeEnrollmentFile(). */
  enrollmentFilePath: string;
}

export async function setUpMac(server: OnboardingServer, name: string, onboarding: OnboardingSettings, apps: AppSpec[]): Promise<Mac> {
  const { admin } = server;
  const username = `${name}-${randomUUID().slice(0, 8)}`;
  const { id: userId } = await admin.call<{ id: string }>('POST', '/users', { username, displayName: `New hire ${name}` });
  const onlyThisUser = { kind: 'custom', users: [userId] };
  await admin.call('POST', '/agent-configurations', { name: `Onboarding ${username}`, onboarding, distribution: onlyThisUser });
  const created: Record<string, MacApp> = {};
  for (const app of apps) {
    const bundleId = `com.example.${app.name.toLowerCase().replace(/[^a-z]+/g, '-')}`;
    const body = { type: app.type, name: app.name, bundleId, priority: app.priority, category: 'Productivity', version: '1.0', publisher: 'Example', shortDescription: 'An app.', description: 'An app.', distribution: onlyThisUser };
    const { id } = await admin.call<{ id: string }>('POST', '/apps', body);
    const bytes = Buffer.from(`${app.name} package ${randomUUID()}`);
    const pkg = app.type === 'pkg' ? { bytes, sha256: createHash('sha256').update(bytes).digest('hex') } : null;
    created[app.name] = { id, name: app.name, pkg };
    if (pkg !== null && app.upload !== false) await uploadPackage(server, created[app.name]!);
  }
  const macDir = path.join(server.dir, username);
  const mac = { username, userId, apps: created, stateDir: path.join(macDir, 'agent'), recordDir: path.join(macDir, 'installer'), enrollmentFilePath: path.join(macDir, 'enrollment.json') };
  await mkdir(mac.recordDir, { recursive: true });
  return mac;
}

export async function uploadPackage(server: OnboardingServer, app: MacApp): Promise<void> {
  await server.admin.call('PUT', `/apps/${app.id}/package`, app.pkg!.bytes, { raw: true });
}

/** Writes the PKG's enrollment file with a new enrollment token of the Mac's user, as the postinstall would. */
export async function writeEnrollmentFile(server: OnboardingServer, mac: Mac): Promise<void> {
  const { token } = await server.admin.call<{ token: string }>('POST', '/enrollment-tokens', { name: `New Macs of ${mac.username}`, userId: mac.userId });
  await writeFile(mac.enrollmentFilePath, JSON.stringify({ serverUrl: server.url, token }), { mode: 0o600 });
}

/** The installer waits with this app's package until released. */
export const holdInstall = (mac: Mac, app: string) => writeFile(path.join(mac.recordDir, `hold-${mac.apps[app]!.pkg!.sha256}`), '');
export const releaseInstall = (mac: Mac, app: string) => rm(path.join(mac.recordDir, `hold-${mac.apps[app]!.pkg!.sha256}`), { force: true });

/** The apps whose package the installer was given (`started`) or installed (`installed`), in order. */
export async function installerRecord(mac: Mac, which: 'started' | 'installed'): Promise<string[]> {
  const lines = (await readFile(path.join(mac.recordDir, which), 'utf8').catch(() => '')).split('\n').filter((line) => line !== '');
  return lines.map((sha) => Object.values(mac.apps).find((app) => app.pkg?.sha256 === sha)?.name ?? sha);
}

export interface AgentHost {
  uiUrl: string;
  /** The agent's log: one JSON object a line on stderr. */
  logEntries(): { level: string; message: string; [field: string]: unknown }[];
  /** The landing pages the agent opened, in order. */
  landingPages(): string[];
  /** SIGKILL to the host and what it started (an installer under way): a crash, or the Mac losing power. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after 10 s; an installer it left is ended too. */
  stop(): Promise<void>;
}

const running = new Set<AgentHost>();

const completeLines = (output: string): string[] => output.split('\n').slice(0, -1);

/** Starts the agent host on the Mac's state folder; resolves once its UI URL is printed. */
export async function startAgentHost(mac: Mac, options: { enrollmentFile?: boolean; clockJumpAfterEnrollmentMinutes?: number } = {}): Promise<AgentHost> {
  const args = ['--import', 'tsx', path.join(repoRoot, 'tests/e2e/onboarding-agent-host.ts'), '--state-dir', mac.stateDir];
  if (options.enrollmentFile === true) args.push('--enrollment-file', mac.enrollmentFilePath);
  if (options.clockJumpAfterEnrollmentMinutes !== undefined) args.push('--clock-jump-after-enrollment-minutes', String(options.clockJumpAfterEnrollmentMinutes));
  // Its own process group, so that kill() ends an installer it started too, as the end of the agent's job would.
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    detached: true,
    env: { ...process.env, ATWORK_TEST_INSTALLER: INSTALLER, ATWORK_TEST_INSTALLER_RECORD: mac.recordDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch (error) {
      // The whole group is gone already.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  };
  const ended = async (): Promise<void> => {
    await exited;
    signalGroup('SIGKILL');
    running.delete(host);
  };
  const host: AgentHost = {
    uiUrl: '',
    // Whole lines only: the last piece may still be on its way.
    logEntries: () => completeLines(stderr).flatMap((line) => (line.startsWith('{') ? [JSON.parse(line) as ReturnType<AgentHost['logEntries']>[number]] : [])),
    landingPages: () => completeLines(stdout).flatMap((line) => /^Atwork landing page (\S+)$/.exec(line)?.[1] ?? []),
    kill: async () => {
      signalGroup('SIGKILL');
      await ended();
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
      const forced = setTimeout(() => signalGroup('SIGKILL'), 10_000);
      await ended();
      clearTimeout(forced);
    },
  };
  running.add(host);
  const printedUrl = async (): Promise<string | undefined> => {
    if (child.exitCode !== null) throw new Error(`the agent host exited with code ${child.exitCode}:\n${stderr}`);
    return completeLines(stdout).flatMap((line) => /^Atwork UI (http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]+)$/.exec(line)?.[1] ?? [])[0];
  };
  try {
    host.uiUrl = await waitFor('the agent host to print its UI URL', printedUrl, { timeoutMs: HOST_START_TIMEOUT_MS });
  } catch (error) {
    await host.kill();
    throw error;
  }
  return host;
}

/** Stops every host still running (afterAll). */
export async function stopAllHosts(): Promise<void> {
  await Promise.all([...running].map((host) => host.stop()));
}

/** What the UI's "Check in now" does, over the bridge: a check-in round, which also sends the device log's new events. */
export async function checkInNow(host: AgentHost): Promise<void> {
  const ui = new URL(host.uiUrl);
  const token = new URLSearchParams(ui.hash.slice(1)).get('token');
  const response = await fetch(`${ui.origin}/bridge/check-in-now`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(20_000) });
  if (!response.ok) throw new Error(`check-in-now answered ${response.status}: ${await response.text()}`);
}

/** The Mac's device id, once its enrollment reached the server. */
export function deviceIdOf(server: OnboardingServer, mac: Mac): Promise<string> {
  return waitFor(`a device of ${mac.username}`, async () => {
    const { devices } = await server.admin.call<{ devices: { id: string }[] }>('GET', `/devices?userId=${mac.userId}`);
    return devices[0]?.id;
  });
}

export interface OnboardingEvent {
  type: string;
  data: Record<string, string | number | boolean | null>;
}

/** The onboarding events of the device log, oldest first. */
export async function onboardingEvents(server: OnboardingServer, deviceId: string): Promise<OnboardingEvent[]> {
  const { logs } = await server.admin.call<{ logs: { kind: string; event?: OnboardingEvent }[] }>('GET', `/devices/${deviceId}/logs?kind=event&limit=1000`);
  return logs.flatMap((log) => (log.event?.type.startsWith('onboarding.') ? [log.event] : [])).reverse();
}

