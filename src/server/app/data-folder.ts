// The server's data folder: created private, refused when others could change it, its secret files refused when others could read them.
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, open, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Files of the data folder that hold secrets or the data itself; each must be the server user's alone. The admin token
 * is always created 0600, so one readable by others was changed by someone and is refused wherever it lies; older
 * versions created the database 0644, which inside a 0700 folder nobody else could read. (The master key has its own,
 * equally strict, check in master-key.ts.)
 */
const PRIVATE_FILES = [
  { name: 'admin-token', strict: true },
  { name: 'atwork.db', strict: false },
  { name: 'atwork.db-wal', strict: false },
  { name: 'atwork.db-shm', strict: false },
];

/** Something the server changed on its own and says so in its log. */
export type DataFolderNotice = string;

/** A file system error in a few words a person understands. */
export function fileErrorReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'the file system is read-only';
  if (code === 'ENOSPC') return 'no space left on the device';
  if (code === 'ENOTDIR') return 'a part of the path is a file, not a folder';
  return (error as Error).message;
}

const mode = (m: number) => `0${(m & 0o777).toString(8)}`;

/**
 * Creates the data folder when missing (0700) and checks an existing one and its private files.
 *
 * Refused, with what to do: a path that is not a folder, a folder of another user, a folder that other users could
 * write to (a key or database could have been planted), and a private file that other users could actually read (its
 * mode lets them and the folder lets them in): it may already have been copied, and quietly tightening it would hide
 * that. What others could not reach is made private and said so: a folder others may only read becomes 0700, and a
 * 0644 database of an older version in a 0700 folder becomes 0600.
 */
export async function ensureDataDir(dataDir: string): Promise<DataFolderNotice[]> {
  const use = 'choose another with --data-dir or ATWORK_DATA_DIR';
  let info;
  try {
    info = await stat(dataDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`The data folder ${dataDir} cannot be opened (${fileErrorReason(error)}); ${use}.`);
    try {
      // Recursive mkdir reports a read-only parent as ENOENT; only missing parents need it.
      await mkdir(dataDir, { recursive: !existsSync(path.dirname(dataDir)), mode: 0o700 });
      await chmod(dataDir, 0o700);
    } catch (mkdirError) {
      // Another server starting at the same moment made it first: it is checked like any existing folder.
      if ((mkdirError as NodeJS.ErrnoException).code === 'EEXIST') return ensureDataDir(dataDir);
      throw new Error(`The data folder ${dataDir} cannot be created (${fileErrorReason(mkdirError)}); ${use}, or create it for the server's user.`);
    }
    return [];
  }
  if (!info.isDirectory()) throw new Error(`The data folder ${dataDir} is not a folder; ${use}.`);
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) {
    throw new Error(`The data folder ${dataDir} belongs to another user (uid ${info.uid}); run the server as that user or chown the folder to this one (uid ${uid}).`);
  }
  if ((info.mode & 0o022) !== 0) {
    throw new Error(`The data folder ${dataDir} can be changed by other users (mode ${mode(info.mode)}); check that nothing was planted in it, chmod 700 it and start again.`);
  }
  const othersCanEnter = (info.mode & 0o011) !== 0;
  const notices = await checkPrivateFiles(dataDir, othersCanEnter);
  if ((info.mode & 0o077) === 0) return notices;
  try {
    await chmod(dataDir, 0o700);
  } catch (error) {
    throw new Error(`The data folder ${dataDir} is readable by other users (mode ${mode(info.mode)}) and cannot be made private (${fileErrorReason(error)}); chmod 700 it.`);
  }
  return [...notices, `the data folder ${dataDir} was readable by other users (mode ${mode(info.mode)}); it is now 0700`];
}

async function checkPrivateFiles(dataDir: string, othersCanEnter: boolean): Promise<DataFolderNotice[]> {
  const uid = process.getuid?.();
  const notices: DataFolderNotice[] = [];
  for (const { name, strict } of PRIVATE_FILES) {
    const file = path.join(dataDir, name);
    let info;
    try {
      info = await lstat(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new Error(`${file} cannot be checked (${fileErrorReason(error)}); make the data folder readable by the server's user.`);
    }
    if (!info.isFile()) throw new Error(`${file} is not a regular file; restore it from backup.`);
    if (uid !== undefined && info.uid !== uid) throw new Error(`${file} belongs to another user (uid ${info.uid}); run the server as its owner.`);
    if ((info.mode & 0o077) === 0) continue;
    if (strict || (othersCanEnter && (info.mode & 0o044) !== 0)) {
      const exposed = name === 'admin-token' ? 'replace the admin token, since it may have been read' : 'consider what it holds exposed';
      throw new Error(`${file} is readable by other users (mode ${mode(info.mode)}); chmod 600 it and ${exposed}.`);
    }
    await chmod(file, 0o600);
    notices.push(`${file} had mode ${mode(info.mode)} in a folder others cannot enter; it is now 0600`);
  }
  return notices;
}

/** Creates the SQLite file 0600 before SQLite does (it would use 0644 less the umask; its WAL files copy the mode). */
export async function createPrivateDatabaseFile(dataDir: string): Promise<void> {
  const file = path.join(dataDir, 'atwork.db');
  try {
    await (await open(file, 'wx', 0o600)).close();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw new Error(`The database ${file} cannot be created (${fileErrorReason(error)}); free space or fix the data folder's permissions.`);
  }
}
