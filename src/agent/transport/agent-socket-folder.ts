// The daemon's socket folder on disk: checked before it is trusted, a stale socket cleared, each allowed user's token file written (issue 13).
import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, open, rename, rm, unlink } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { tokenFileIn, usersFolderIn } from './agent-socket-paths';

/** How long a socket left at the path may take to answer before it counts as another agent's. */
const STALE_PROBE_MS = 1000;

/**
 * Makes the socket folder (owned by the daemon, 0755: every user may reach the socket, none may write) or checks the
 * one there; throws one sentence when it cannot be trusted.
 *
 * A folder another user owns or may write is one where they could swap the socket or the token files, so it is
 * refused rather than repaired; so is a symbolic link, which could point anywhere. Its parent must be as safe (the
 * caller picks a root-owned place such as /var/run).
 */
export async function prepareSocketFolder(folder: string, ownerUid: number): Promise<void> {
  await mkdir(folder, { mode: 0o755 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw new Error(`Could not make the agent's socket folder ${folder}: ${error.message}.`);
  });
  const info = await lstat(folder);
  if (info.isSymbolicLink()) throw refusal(folder, 'is a symbolic link, not a folder');
  if (!info.isDirectory()) throw refusal(folder, 'is not a folder');
  if (info.uid !== ownerUid) throw refusal(folder, `is owned by uid ${info.uid}, not by the agent's uid ${ownerUid}`);
  if ((info.mode & 0o022) !== 0) throw refusal(folder, `can be written by other users (mode ${modeOf(info)})`);
  // A folder the daemon made under a strict umask (0700) would keep the users from their socket.
  if ((info.mode & 0o777) !== 0o755) await chmod(folder, 0o755);
}

/**
 * Removes a socket a killed daemon left at the path, so listen() can take it; throws one sentence when the path holds
 * something else, or a socket another agent still answers on.
 */
export async function clearStaleSocket(socketPath: string): Promise<void> {
  let info: Stats;
  try {
    info = await lstat(socketPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (!info.isSocket()) throw refusal(socketPath, 'is not a socket');
  if (await answers(socketPath)) throw refusal(socketPath, 'is the socket of an agent that is still running; stop it first');
  await unlink(socketPath);
}

/**
 * Empties the users' folder (tokens of an earlier run mean nothing now) and makes it again, owned by the daemon, 0711.
 *
 * Every folder on a token's path is the daemon's and only the file is the user's: the daemon never writes or removes
 * inside a place a user may change, so no user can plant a link for root to follow. 0711 lets each user reach their
 * own file without listing who else is allowed.
 */
export async function resetUsersFolder(folder: string): Promise<void> {
  await removeUsersFolder(folder);
  await mkdir(usersFolderIn(folder), { mode: 0o711 });
  await chmod(usersFolderIn(folder), 0o711);
}

/** Removes every user's token: the daemon stops serving, and its tokens die with it. */
export async function removeUsersFolder(folder: string): Promise<void> {
  await rm(usersFolderIn(folder), { recursive: true, force: true });
}

/**
 * Writes a user's token into `users/<uid>/token`: owned by that uid, mode 0600, so only they and root can read it.
 *
 * The file is made new under another name (O_EXCL) and renamed over the old one, so a reader never sees half a token
 * and the old token is gone in one step.
 */
export async function writeUserToken(folder: string, uid: number, gid: number, token: string): Promise<void> {
  const file = tokenFileIn(folder, uid);
  await mkdir(dirname(file), { mode: 0o711 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  await chmod(dirname(file), 0o711);
  const draft = join(dirname(file), `.token-${randomBytes(6).toString('hex')}`);
  const handle = await open(draft, 'wx', 0o600);
  try {
    await handle.chown(uid, gid);
    await handle.chmod(0o600);
    await handle.writeFile(`${token}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(draft, file);
}

/** Removes a user's token folder once they may no longer connect. */
export async function removeUserToken(folder: string, uid: number): Promise<void> {
  await rm(dirname(tokenFileIn(folder, uid)), { recursive: true, force: true });
}

/** Whether something accepts a connection on the socket: another agent serves it. */
function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(socketPath);
    // A socket that neither accepts nor refuses in time is held by someone: leave it alone.
    probe.setTimeout(STALE_PROBE_MS, () => settle(true));
    probe.once('connect', () => settle(true));
    probe.once('error', () => settle(false));
    function settle(answered: boolean): void {
      probe.destroy();
      resolve(answered);
    }
  });
}

function refusal(where: string, why: string): Error {
  return new Error(`Refused to serve the agent on its socket: ${where} ${why}.`);
}

function modeOf(info: Stats): string {
  return `0${(info.mode & 0o777).toString(8)}`;
}
