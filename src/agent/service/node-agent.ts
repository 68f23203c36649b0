// Wires the agent core to the default Node ports (files under the state folder, fetch, real processes, wall clock) and locks that folder.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { acquireFolderLock, type FolderLock } from '../../shared/node/folder-lock';
import { AgentService } from './agent-service';
import { createConsoleLogger } from './console-logger';
import { MacConsoleUser, NamedScriptUser } from '../runner/console-user';
import { platformInventorySources, type InventorySources } from '../inventory/device-inventory';
import { messageOf } from '../core/error-message';
import { FetchHttpClient } from '../transport/fetch-http-client';
import { FileSecretStore } from '../state/file-secret-store';
import { ensurePrivateDir, FileStateStore } from '../state/file-state-store';
import { NodeSpawner } from '../runner/node-spawner';
import type { Clock, Logger, SecretStore } from '../core/ports';
import type { RunAsUser } from '../runner/script-runner';
import { systemClock } from './system-clock';
import type { EnrollmentInbox } from './automated-enrollment';
import { fileOnboardingStore } from '../onboarding/onboarding-file-store';
import { defaultUninstallScript } from '../apps/device-retirement';
import { dropPendingEnrollment, MAC_ENROLLMENT_FILE, readPendingEnrollment, takeEnrollmentFile } from '../enrollment/enrollment-file';

export interface NodeAgentOptions {
  stateDir: string;
  logger?: Logger;
  runAsUser?: RunAsUser;
  /** Account that runs scripts which are not "Run as root" when the agent is root off macOS; default ATWORK_SCRIPT_USER. */
  scriptUser?: string;
  secrets?: SecretStore;
  /** The automated-enrollment file the PKG leaves; default ATWORK_ENROLLMENT_FILE, else MAC_ENROLLMENT_FILE on macOS, else none. */
  enrollmentFile?: string | null;
  /** Opens onboarding's landing page in the user's default browser (the UI host's shell.openExternal). */
  openLandingPage?(url: string): void;
  /** Wall time and timers; default the system clock. Tests inject one to play a Mac whose enrollment is long past (issue 12). */
  clock?: Clock;
}

/** The PKG's enrollment file as an inbox: taken into the state folder once (enrollment-file.ts), kept there until settled. */
export function fileEnrollmentInbox(filePath: string | null, stateDir: string): EnrollmentInbox {
  return {
    take: async () => (await readPendingEnrollment(stateDir)) ?? (filePath === null ? null : await takeEnrollmentFile(filePath, stateDir)),
    settle: () => dropPendingEnrollment(stateDir),
  };
}

/** Whether an automated enrollment waits: one taken earlier, or the PKG's file. */
export async function automatedEnrollmentWaiting(stateDir: string, filePath: string | null = defaultEnrollmentFile()): Promise<boolean> {
  return (await readPendingEnrollment(stateDir)) !== null || (filePath !== null && existsSync(filePath));
}

export function defaultEnrollmentFile(): string | null {
  return process.env.ATWORK_ENROLLMENT_FILE ?? (process.platform === 'darwin' ? MAC_ENROLLMENT_FILE : null);
}

/**
 * Where this machine's inventory comes from; on macOS with the console user's ~/Applications, looked up at each
 * collection since users log in and out. Nobody at the console (or a failed lookup) leaves /Applications alone.
 */
async function nodeInventorySources(logger: Logger): Promise<InventorySources> {
  let home: string | null = null;
  if (process.platform === 'darwin') {
    try {
      home = (await new MacConsoleUser().currentUser())?.home ?? null;
    } catch (error) {
      logger.warn('inventory: the console user is unknown, so only /Applications is read', { reason: messageOf(error) });
    }
  }
  return platformInventorySources(process.platform, process.env, home);
}

/**
 * Wires the default Node ports: state in stateDir (0700), device key in a 0600 file there, fetch-based HTTP, real spawn.
 *
 * On macOS scripts run as the console user; elsewhere a root agent needs a configured account, else it runs them as
 * itself (the development setup).
 */
export function createNodeAgent(options: NodeAgentOptions): AgentService {
  const logger = options.logger ?? createConsoleLogger();
  const scriptUser = options.scriptUser ?? process.env.ATWORK_SCRIPT_USER;
  return new AgentService(
    {
      http: new FetchHttpClient(),
      spawner: new NodeSpawner(),
      clock: options.clock ?? systemClock,
      state: new FileStateStore(options.stateDir, logger),
      // The Electron app passes its safeStorage store (issue 4); the root daemon and plain Node keep the 0600 file.
      secrets: options.secrets ?? new FileSecretStore(options.stateDir),
      logger,
    },
    {
      runAsUser: options.runAsUser,
      ...(scriptUser ? { scriptUsers: new NamedScriptUser(scriptUser) } : {}),
      // Beside the state, in the same 0700 folder: a package is root's to install, nobody else's to swap.
      // Retiring empties the state folder (the key file is in it) but for the lock this process holds (issue 13).
      apps: {
        packageDir: join(options.stateDir, 'packages'),
        retirement: { stateDir: options.stateDir, keepInStateDir: [STATE_LOCK_FILE], uninstallScript: defaultUninstallScript() },
      },
      onboarding: { store: fileOnboardingStore(options.stateDir), ...(options.openLandingPage ? { openLandingPage: options.openLandingPage } : {}) },
      automatedEnrollment: fileEnrollmentInbox(options.enrollmentFile === undefined ? defaultEnrollmentFile() : options.enrollmentFile, options.stateDir),
      inventory: { sources: () => nodeInventorySources(logger) },
    },
  );
}

/** Name of the lock file in the state folder. */
export const STATE_LOCK_FILE = 'agent.lock';

/**
 * Takes the state folder for this process, or throws naming the pid of the agent that has it (issue 9): two agents
 * on one folder would both run an "execute once" script.
 */
export async function lockStateFolder(stateDir: string): Promise<FolderLock> {
  await ensurePrivateDir(stateDir);
  return acquireFolderLock(stateDir, { fileName: STATE_LOCK_FILE, holderName: 'Atwork agent' });
}

/** Runs `work` while holding the state folder's lock, released however `work` ends. */
export async function withLockedStateFolder<T>(stateDir: string, work: () => Promise<T>): Promise<T> {
  const lock = await lockStateFolder(stateDir);
  try {
    return await work();
  } finally {
    await lock.release();
  }
}
