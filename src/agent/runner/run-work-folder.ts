// The per-run working folder: made by the agent, handed to the script's user, removed without following links or using more privilege than that user has (issue 9).
import { chmod, chown, mkdir, mkdtemp, rm, rmdir, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, normalize } from 'node:path';
import { SYSTEM_PATH } from './interpreters';
import type { Logger, Spawner } from '../core/ports';

/** What the journal keeps of a run's folder, so a restarted agent removes the folder of a run its predecessor lost. */
export interface WorkFolderRecord {
  holder: string;
  /** Who the folder was handed to; null while it is still the agent's. */
  owner: { uid: number; gid: number } | null;
}

/** How long the removal of a user's files may take before what is left stays for the log. */
const USER_REMOVAL_TIMEOUT_MS = 60_000;

const HOLDER_PREFIX = 'atwork-run-';

/**
 * `holder/w`: `holder` (mkdtemp, the agent's, never writable by the script's user) holds the working folder `w`.
 *
 * The script's user owns `w` and everything in it, but cannot rename or replace `w` itself: that needs write access to
 * `holder`. So the path the agent removes at the end is still the folder it made, whatever the user did meanwhile.
 */
export class RunWorkFolder {
  /** The script's working folder (its cwd and TMPDIR). */
  readonly path: string;

  private constructor(
    private readonly holder: string,
    private handedTo: { uid: number; gid: number } | null,
  ) {
    this.path = join(holder, 'w');
  }

  static async create(tempRoot: string): Promise<RunWorkFolder> {
    const folder = new RunWorkFolder(await mkdtemp(join(tempRoot, HOLDER_PREFIX)), null);
    await mkdir(folder.path, { mode: 0o700 });
    return folder;
  }

  /** The folder of a journal record; null for a record that names anything but a holder this agent makes. */
  static fromRecord(record: WorkFolderRecord): RunWorkFolder | null {
    if (!isAbsolute(record.holder) || normalize(record.holder) !== record.holder || !basename(record.holder).startsWith(HOLDER_PREFIX)) return null;
    return new RunWorkFolder(record.holder, record.owner);
  }

  record(): WorkFolderRecord {
    return { holder: this.holder, owner: this.handedTo };
  }

  /**
   * Gives the folder and `files` in it to `user`. The holder becomes 0711 so the user can reach the folder; a temp root
   * the user could write to without the sticky bit would let the user swap the holder itself, so it is refused.
   */
  async handTo(user: { uid: number; gid: number; name?: string }, tempRoot: string, files: readonly string[]): Promise<void> {
    const root = await stat(tempRoot);
    const othersWrite = (root.mode & 0o002) !== 0 || ((root.mode & 0o020) !== 0 && root.gid === user.gid);
    if (root.uid === user.uid || (othersWrite && (root.mode & 0o1000) === 0)) {
      throw new Error(`the temp folder ${tempRoot} is writable by the script's user ${user.name ?? user.uid} (and not sticky); use a folder only root can write to`);
    }
    await chmod(this.holder, 0o711);
    await chown(this.path, user.uid, user.gid);
    // From here on only that user's removal may empty the folder.
    this.handedTo = { uid: user.uid, gid: user.gid };
    for (const file of files) await chown(join(this.path, file), user.uid, user.gid);
  }

  /**
   * Removes the folder once no process of the run is left.
   *
   * A folder still the agent's goes in process: Node's rm never follows a link, and nothing else could write there.
   * A folder handed to a user is emptied by `find -delete` running as that user (it works below the folder through
   * directory handles and never follows links), so a link or a rename the user races in cannot make it delete more
   * than the user could anyway; the agent then only rmdir()s what it made, which never follows a link either.
   */
  async remove(spawner: Spawner, logger: Logger): Promise<void> {
    const user = this.handedTo;
    if (user === null) {
      await rm(this.holder, { recursive: true, force: true, maxRetries: 3 });
      return;
    }
    const find = await spawner.findExecutable('find', SYSTEM_PATH);
    if (find === null) {
      logger.warn('left a script working folder: find is not in the system folders', { workDir: this.path });
      return;
    }
    const code = await spawner.runHelper(find, [this.path, '-mindepth', '1', '-delete'], {
      cwd: '/',
      env: { PATH: SYSTEM_PATH.join(':'), LANG: 'C' },
      uid: user.uid,
      gid: user.gid,
      timeoutMs: USER_REMOVAL_TIMEOUT_MS,
    });
    try {
      await rmdir(this.path);
      await rmdir(this.holder);
    } catch (error) {
      // Only the user's own files are left, in a folder the user cannot move out of the agent's holder.
      logger.warn("left a script working folder holding files its user kept or made after the run; only that user's files are in it", {
        workDir: this.path,
        findExitCode: code,
        reason: (error as NodeJS.ErrnoException).code ?? String(error),
      });
    }
  }
}
