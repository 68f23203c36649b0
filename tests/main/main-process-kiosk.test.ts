// src/main/index.ts under Node with electron mocked, on a Mac whose agent is in the middle of onboarding: the first
// window is the kiosk, the Dock icon cannot open another, the window neither closes nor quits on its shortcuts, and
// the administrator's combination leaves it for the status window, kept so across a restart.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decideOnboarding } from '../../src/agent/onboarding/onboarding-machine';
import { ONBOARDING_FILE } from '../../src/agent/onboarding/onboarding-file-store';
import { electronFake as electron } from './fake-electron';
import type { FakeBrowserWindow } from './fake-browser-window';

vi.mock('electron', () => import('./fake-electron'));

let stateDir: string;

/** An onboarding the agent kept, as it writes it: started a minute ago, one App Store step still pending. */
async function keepRunningOnboarding(): Promise<void> {
  const now = Date.now();
  const decision = decideOnboarding({
    settings: { enabled: true, timeoutSeconds: 600, landingPageUrl: 'https://intranet.example.com/welcome', startWindowMinutes: 20 },
    enrollmentMethod: 'automated',
    enrolledAt: now - 60_000,
    now: now - 60_000,
    apps: [{ id: 'keynote', name: 'Keynote', priority: 'high', type: 'app-store' }],
  });
  if (!decision.started) throw new Error('the fixture onboarding did not start');
  await writeFile(path.join(stateDir, ONBOARDING_FILE), JSON.stringify({ decided: true, state: decision.state, shown: true }), { mode: 0o600 });
}

function press(window: FakeBrowserWindow, input: { key: string; code: string; meta?: boolean; control?: boolean; alt?: boolean; shift?: boolean }): boolean {
  let prevented = false;
  window.webContents.emit('before-input-event', { preventDefault: () => (prevented = true) }, { type: 'keyDown', meta: false, control: false, alt: false, shift: false, ...input });
  return prevented;
}

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'atwork-main-kiosk-'));
  await keepRunningOnboarding();
  vi.stubEnv('ATWORK_STATE_DIR', stateDir);
  await import('../../src/main/index');
  electron.markReady();
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await rm(stateDir, { recursive: true, force: true });
  await rm(electron.pathsRoot, { recursive: true, force: true });
});

describe('the main process during onboarding', () => {
  it('opens the kiosk window, and only it, as the first window', async () => {
    await expect.poll(() => electron.windows.length).toBe(1);
    const kiosk = electron.windows[0]!;
    expect(kiosk.options).toMatchObject({ kiosk: true, alwaysOnTop: true, closable: false, minimizable: false, frame: false });
    expect(kiosk.calls).toContainEqual(['setAlwaysOnTop', true, 'screen-saver']);
    electron.appListeners.get('activate')?.({ preventDefault: () => undefined });
    expect(electron.windows).toHaveLength(1);
    expect(kiosk.calls.at(-1)).toEqual(['focus']);
  });

  it('neither closes nor quits on Command-W or Command-Q', () => {
    const kiosk = electron.windows[0]!;
    expect(kiosk.tryClose()).toBe(true);
    expect(press(kiosk, { key: 'q', code: 'KeyQ', meta: true })).toBe(process.platform === 'darwin');
    expect(press(kiosk, { key: 'w', code: 'KeyW', meta: process.platform === 'darwin', control: process.platform !== 'darwin' })).toBe(true);
    expect(kiosk.destroyed).toBe(false);
  });

  it('leaves for the status window on the administrator combination, and keeps the kiosk closed', async () => {
    const kiosk = electron.windows[0]!;
    expect(press(kiosk, { key: '', code: 'KeyK', meta: true, control: true, alt: true, shift: true })).toBe(true);
    await expect.poll(() => kiosk.destroyed).toBe(true);
    expect(electron.windows).toHaveLength(2);
    expect(electron.windows[1]?.options.kiosk).toBeUndefined();
    const kept = JSON.parse(await readFile(path.join(stateDir, ONBOARDING_FILE), 'utf8')) as { shown: boolean };
    expect(kept.shown).toBe(false);
  });

  it('logs the administrator\'s way out to the app\'s log file in the user\'s log folder', async () => {
    const log = await readFile(path.join(electron.pathsRoot, 'logs', 'app.log'), 'utf8');
    expect(log).toContain('[info]  An administrator pressed the key combination that leaves the onboarding kiosk.');
  });

  it('still stops the agent and quits when macOS quits the app (logging out, shutting down)', async () => {
    let prevented = false;
    electron.appListeners.get('will-quit')?.({ preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    await expect.poll(() => electron.state.quit).toBe(true);
  });
});
