// Looks up a local account (uid, gid, home) by name: Directory Services on macOS, /etc/passwd elsewhere.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** Someone a script runs as when it is not "Run as root". */
export interface RunAsUser {
  uid: number;
  gid: number;
  /** USER and HOME of the script; without them USER is the uid and HOME the working folder. */
  name?: string;
  home?: string;
}

/** Runs a system command and resolves with its stdout; rejects when it cannot start or exits non-zero. */
export type CommandOutput = (file: string, args: readonly string[]) => Promise<string>;

/** Account names the runner accepts: what macOS and useradd allow, and nothing a command line could misread. */
const ACCOUNT_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/** A CommandOutput on the system's own PATH (a root agent never runs a command a user put earlier on its PATH). */
export function systemCommandOutput(limits: { timeoutMs: number; maxOutputBytes: number }): CommandOutput {
  return (file, args) =>
    new Promise((resolve, reject) => {
      execFile(file, [...args], { timeout: limits.timeoutMs, maxBuffer: limits.maxOutputBytes, env: { PATH: '/usr/bin:/bin:/usr/sbin:/sbin' } }, (error, stdout) =>
        error ? reject(new Error(`${file} failed: ${error.message.split('\n')[0]}`)) : resolve(stdout),
      );
    });
}

export const execFileOutput: CommandOutput = systemCommandOutput({ timeoutMs: 10_000, maxOutputBytes: 64 * 1024 });

export function assertAccountName(name: string): void {
  if (!ACCOUNT_NAME.test(name)) throw new Error(`${JSON.stringify(name)} is not a valid account name`);
}

/** The macOS account `name` from Directory Services, or null when there is none. */
export async function findMacUser(name: string, run: CommandOutput = execFileOutput): Promise<RunAsUser | null> {
  assertAccountName(name);
  let record: string;
  try {
    record = await run('/usr/bin/dscl', ['.', '-read', `/Users/${name}`, 'UniqueID', 'PrimaryGroupID', 'NFSHomeDirectory']);
  } catch {
    return null;
  }
  const uid = Number(attribute(record, 'UniqueID'));
  const gid = Number(attribute(record, 'PrimaryGroupID'));
  const home = attribute(record, 'NFSHomeDirectory');
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid < 0 || gid < 0) throw new Error(`Directory Services gave no usable uid and gid for ${name}`);
  return { uid, gid, name, ...(home ? { home } : {}) };
}

/** One attribute of `dscl -read` output; a value with spaces comes on the next line, indented. */
function attribute(record: string, key: string): string | undefined {
  const match = new RegExp(`^${key}:(?: (.+)|\\n (.+))$`, 'm').exec(record);
  return (match?.[1] ?? match?.[2])?.trim();
}

/** The account `name` from a passwd file, or null when there is none. */
export async function findPasswdUser(name: string, passwdPath = '/etc/passwd'): Promise<RunAsUser | null> {
  assertAccountName(name);
  for (const line of (await readFile(passwdPath, 'utf8')).split('\n')) {
    const [user, , uid, gid, , home] = line.split(':');
    if (user !== name || uid === undefined || gid === undefined) continue;
    return { uid: Number(uid), gid: Number(gid), name, ...(home ? { home } : {}) };
  }
  return null;
}

/** The local account `name` on this platform, or null. */
export function findLocalUser(name: string): Promise<RunAsUser | null> {
  return process.platform === 'darwin' ? findMacUser(name) : findPasswdUser(name);
}
