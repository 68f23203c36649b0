// The script types the runner knows: which interpreter runs each, how it is started, and where interpreters are looked up.
import type { Interpreter } from '../../shared/script-result';

/**
 * Where interpreters are looked up, and the PATH of a "Run as root" script.
 *
 * Only system folders: /usr/local/bin is writable by the user on many Macs (Homebrew), so a root script must never
 * pick a command from it.
 */
export const SYSTEM_PATH = ['/usr/bin', '/bin', '/usr/sbin', '/sbin'] as const;

/** The PATH of a script run as a user: what a login shell gets from /etc/paths on a Mac. */
export const USER_PATH = ['/usr/local/bin', ...SYSTEM_PATH] as const;

export interface InterpreterCommand {
  /** Executable name looked up in SYSTEM_PATH. */
  command: string;
  /** Name of the script file in the working folder. */
  fileName: string;
  /** Interpreter arguments before the script path. */
  flags: readonly string[];
}

export const INTERPRETERS: Record<Interpreter, InterpreterCommand> = {
  bash: { command: 'bash', fileName: 'script.sh', flags: [] },
  // -f: no startup files from the user's home, so a script behaves the same for every user and as root.
  zsh: { command: 'zsh', fileName: 'script.zsh', flags: ['-f'] },
  python: { command: 'python3', fileName: 'script.py', flags: [] },
  swift: { command: 'swift', fileName: 'script.swift', flags: [] },
};

/** Whether `{$name}` placeholders in a script of this type refer to variables (shells only; see script-variables.ts). */
export function usesPlaceholders(interpreter: Interpreter): boolean {
  return interpreter === 'bash' || interpreter === 'zsh';
}
