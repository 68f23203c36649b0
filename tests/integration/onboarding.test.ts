// Kiosk onboarding over real HTTP: an automated enrollment with onboarding on walks through the configurations and a
// high-priority package to the landing page, the device log shows every step, and neither leaving the end screen nor
// a restart brings the kiosk back; a PIN enrollment gets no onboarding.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentService } from '../../src/agent/service/agent-service';
import { createNodeAgent } from '../../src/agent/service/node-agent';
import { AdminClient } from '../../src/server/admin-api/admin-api-client';
import { startServer, type AtworkServer } from '../../src/server/app/server-app';
import type { OnboardingView } from '../../src/shared/onboarding-view';
import { waitFor } from '../support/wait-for';

let dir: string;
let server: AtworkServer;
let serverUrl: string;
let admin: AdminClient;
let userId: string;
const agents: AgentService[] = [];
const opened: string[] = [];
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

function mac(name: string, enrollmentFile: string | null = null): AgentService {
  const agent = createNodeAgent({ stateDir: path.join(dir, name), enrollmentFile, logger: quiet, openLandingPage: (url) => opened.push(url) });
  agents.push(agent);
  return agent;
}

async function app(body: object, pkg?: Buffer): Promise<string> {
  const { id } = await admin.call<{ id: string }>('POST', '/apps', { category: 'Productivity', version: '1.0', publisher: 'Example', shortDescription: 'An app.', description: 'An app.', distribution: { kind: 'everyone' }, ...body });
  if (pkg !== undefined) await admin.call('PUT', `/apps/${id}/package`, pkg, { raw: true });
  return id;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'atwork-it-onboarding-'));
  const installer = path.join(dir, 'installer.sh');
  // Fails a package that says it is broken, as macOS's installer fails one whose postinstall fails.
  await writeFile(installer, '#!/bin/sh\nif grep -q broken "$1"; then echo "installer: The package could not be installed: the disk is full." >&2; exit 1; fi\necho "installer: The install was successful."\n');
  await chmod(installer, 0o755);
  process.env.ATWORK_TEST_INSTALLER = installer;
  server = await startServer({ dataDir: path.join(dir, 'server') });
  serverUrl = await server.listen({ host: '127.0.0.1', port: 0 });
  admin = new AdminClient(serverUrl, server.createdAdminToken!);
  userId = (await admin.call<{ id: string }>('POST', '/users', { username: 'new-hire', displayName: 'New Hire' })).id;
  await admin.call('POST', '/agent-configurations', {
    name: 'Onboarding',
    onboarding: { enabled: true, timeoutSeconds: 120, landingPageUrl: 'https://intranet.example.com/welcome' },
    distribution: { kind: 'everyone' },
  });
  await app({ type: 'pkg', name: 'Office', bundleId: 'com.example.office', priority: 'high' }, Buffer.from('office package'));
  await app({ type: 'packager', name: 'Xcode', bundleId: 'com.example.xcode', priority: 'high' });
  await app({ type: 'pkg', name: 'Zoom', bundleId: 'com.example.zoom', priority: 'normal' }, Buffer.from('zoom package'));
});

afterAll(async () => {
  for (const agent of agents) await agent.stop();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
  delete process.env.ATWORK_TEST_INSTALLER;
});

describe('kiosk onboarding', () => {
  it('walks an automated enrollment through its steps to the landing page, logs each step, and does not come back', async () => {
    const { token } = await admin.call<{ token: string }>('POST', '/enrollment-tokens', { name: 'New hires', userId });
    const enrollmentFile = path.join(dir, 'enrollment.json');
    await writeFile(enrollmentFile, JSON.stringify({ serverUrl, token }), { mode: 0o600 });
    const agent = mac('mac-ade', enrollmentFile);
    const seen: (OnboardingView | null)[] = [];
    agent.onOnboardingChanged((view) => seen.push(view));
    agent.start();

    const ended = await waitFor('the end of onboarding', async () => {
      const view = await agent.getOnboarding();
      return view !== null && view.outcome !== 'running' ? view : undefined;
    });
    expect(ended.outcome).toBe('finished');
    expect(ended.steps.map((step) => [step.key.startsWith('app:') ? step.appName : step.key, step.status])).toEqual([
      ['configurations', 'done'],
      ['Office', 'done'],
    ]);
    // Zoom, of normal priority, stays in Apps@Work for the user: it is neither a step nor installed unasked.
    expect(ended.backgroundApps.map((a) => a.appName)).toEqual(['Xcode']);
    expect(ended.end).toEqual({ kind: 'landing-page', url: 'https://intranet.example.com/welcome' });
    // Opened as the end is carried out, a moment after the end is visible.
    await waitFor('the landing page opened', async () => (opened.length > 0 ? true : undefined));
    expect(opened).toEqual(['https://intranet.example.com/welcome']);
    expect(seen.some((view) => view?.outcome === 'running')).toBe(true);

    expect(await agent.finishOnboarding()).toBeNull();
    expect(await agent.getOnboarding()).toBeNull();

    const { deviceId } = await agent.getStatus();
    await agent.checkInNow();
    const logs = await waitFor('the onboarding in the device log', async () => {
      const { logs } = await admin.call<{ logs: { kind: string; event?: { type: string; message: string } }[] }>('GET', `/devices/${deviceId}/logs`);
      const types = logs.flatMap((log) => (log.event?.type.startsWith('onboarding.') ? [log.event.type] : []));
      return types.includes('onboarding.ended') ? types : undefined;
    });
    expect(logs).toEqual(expect.arrayContaining(['onboarding.started', 'onboarding.step', 'onboarding.ended']));
    // The device details list what was pushed to it: the agent configuration, and the app with its install report.
    const details = await admin.call<{ agentConfiguration: { name: string } | null; appInstalls: { name: string; state: string }[]; enrollment: { method: string } }>('GET', `/devices/${deviceId}`);
    expect(details.agentConfiguration?.name).toBeDefined();
    expect(details.enrollment.method).toBe('automated');
    await waitFor('the install report', async () => {
      const { appInstalls } = await admin.call<{ appInstalls: { name: string; state: string }[] }>('GET', `/devices/${deviceId}`);
      return appInstalls.some((install) => install.name === 'Office' && install.state === 'installed') ? true : undefined;
    });

    await agent.stop();
    const restarted = mac('mac-ade');
    expect(await restarted.getOnboarding()).toBeNull();
  });

  it('gives a PIN enrollment no onboarding', async () => {
    const { pin } = await admin.call<{ pin: string }>('POST', `/users/${userId}/registration-pins`, {});
    const agent = mac('mac-pin');
    await agent.enroll({ serverUrl, username: 'new-hire', pin });
    await agent.checkInNow();
    expect(await agent.getOnboarding()).toBeNull();
  });

  it('fails a step whose installer fails after it started, shows it with Retry, and installs it on retry', async () => {
    const pages = await app({ type: 'pkg', name: 'Pages', bundleId: 'com.example.pages', priority: 'high' }, Buffer.from('broken pages package'));
    const { token } = await admin.call<{ token: string }>('POST', '/enrollment-tokens', { name: 'New hires, again', userId });
    const agent = mac('mac-failing');
    await agent.enroll({ serverUrl, token });
    await agent.checkInNow();
    const failed = await waitFor('the summary', async () => {
      const view = await agent.getOnboarding();
      return view?.outcome === 'finished-with-failures' ? view : undefined;
    });
    expect(failed.steps.find((step) => step.appName === 'Pages')).toMatchObject({ status: 'failed', failureMessage: 'The installer exited with code 1: installer: The package could not be installed: the disk is full.' });
    expect(failed.end).toEqual({ kind: 'summary', canRetry: true, landingPageUrl: 'https://intranet.example.com/welcome' });

    await admin.call('PUT', `/apps/${pages}/package`, Buffer.from('pages package, fixed'), { raw: true });
    await agent.checkInNow();
    await agent.retryOnboarding();
    const fixed = await waitFor('the retried step installed', async () => {
      const view = await agent.getOnboarding();
      const step = view?.steps.find((candidate) => candidate.appName === 'Pages');
      return step?.status === 'done' && (await agent.getInstalls()).some((install) => install.appId === pages && install.phase === 'installed') ? view : undefined;
    });
    expect(fixed?.outcome).toBe('finished');
    expect(fixed?.steps.find((step) => step.appName === 'Pages')?.attempt).toBe(2);
  });
});
