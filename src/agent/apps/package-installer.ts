// The Installer port on this machine: macOS's installer(8); elsewhere a test command, or a refusal.
import { execFile } from 'node:child_process';
import type { Installer, InstallOutcome } from '../core/ports';

/** An install that takes longer than this is ended and reported failed. */
const INSTALL_TIMEOUT_MS = 30 * 60 * 1000;
/** What the installer prints beyond this is not kept. */
const MAX_OUTPUT_BYTES = 1024 * 1024;
/** Longest failure message kept from the installer's output (the progress message holds 1000 characters). */
const MAX_MESSAGE_CHARS = 900;

export const MACOS_INSTALLER = '/usr/sbin/installer';
export const UNSUPPORTED_MESSAGE = 'Installing packages is supported on macOS only.';

/** Runs `command` with arguments (execFile, no shell) and turns its exit into an outcome, with its output for a failure. */
export class CommandInstaller implements Installer {
  constructor(
    private readonly command: string,
    private readonly argsFor: (packagePath: string) => string[],
  ) {}

  install(packagePath: string): Promise<InstallOutcome> {
    return new Promise((resolve) => {
      execFile(this.command, this.argsFor(packagePath), { timeout: INSTALL_TIMEOUT_MS, maxBuffer: MAX_OUTPUT_BYTES, windowsHide: true }, (error, stdout, stderr) => {
        if (error === null) {
          resolve({ installed: true });
          return;
        }
        const output = `${stderr}\n${stdout}`.trim().replace(/\s*\n\s*/g, ' ');
        const ending = error.killed ? `was ended after ${INSTALL_TIMEOUT_MS / 60_000} minutes` : typeof error.code === 'number' ? `exited with code ${error.code}` : `could not run (${error.message})`;
        const said = output === '' ? '' : `: ${output.length > MAX_MESSAGE_CHARS ? `${output.slice(0, MAX_MESSAGE_CHARS)}…` : output}`;
        resolve({ installed: false, message: `The installer ${ending}${said}` });
      });
    });
  }
}

/** Refuses every install: this machine has no installer the agent may use. */
const unsupported: Installer = { install: async () => ({ installed: false, message: UNSUPPORTED_MESSAGE }) };

/**
 * The installer of this machine: on macOS `installer -pkg FILE -target /` (the environment cannot change it there);
 * elsewhere the command in ATWORK_TEST_INSTALLER, given the package path as its one argument; else a refusal.
 */
export function platformInstaller(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): Installer {
  if (platform === 'darwin') return new CommandInstaller(MACOS_INSTALLER, (file) => ['-pkg', file, '-target', '/']);
  const testInstaller = env.ATWORK_TEST_INSTALLER;
  if (testInstaller !== undefined && testInstaller !== '') return new CommandInstaller(testInstaller, (file) => [file]);
  return unsupported;
}
