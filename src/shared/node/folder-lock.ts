// An exclusive lock on a folder held by one process at a time (the agent's state folder, the server's data folder); node:fs only.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface FolderLockOptions {
  /** Name of the lock file inside the folder, e.g. `agent.lock`. */
  fileName: string;
  /** Who holds such a lock, for the message a second process gets: "Atwork agent". */
  holderName: string;
}

export interface FolderLock {
  /** Whether the lock file is still this holder's (nobody removed it or took it over). */
  stillHeld(): Promise<boolean>;
  /** Removes the lock file if it is still this holder's. */
  release(): Promise<void>;
}

/** The folder is locked by a live process; the message names its pid and says what to do. */
export class FolderLockedError extends Error {
  constructor(
    readonly holderPid: number,
    holderName: string,
    dir: string,
  ) {
    super(`another ${holderName} (pid ${holderPid}) is already using ${dir}; stop it first`);
    this.name = 'FolderLockedError';
  }
}

/** What a lock file holds: enough to tell a live holder from a dead one whose pid was reused. */
interface LockRecord {
  pid: number;
  /** Kernel start time of the holder (Linux /proc clock ticks); null where the platform does not give it (macOS). */
  startTime: string | null;
  nonce: string;
  at: string;
}

/** Nonces of the locks this process holds, so it knows its own pid's locks from a dead namesake's. */
const heldHere = new Set<string>();

/** Processes taking over the same stale lock at once wait their turn; this many rounds (of 10-30 ms) settle it. */
const MAX_ATTEMPTS = 100;
/** Age after which a takeover guard is taken to be left by a process that died while holding it. */
const GUARD_ABANDONED_MS = 10_000;

/**
 * Takes the lock file `dir/fileName` or throws FolderLockedError naming the live holder's pid.
 *
 * The file appears complete or not at all: it is written beside the lock and hard-linked into place, which fails if
 * a lock exists (link(2) is exclusive like O_EXCL). A lock whose holder is gone is taken over: its pid no longer runs,
 * or (Linux) the pid runs but started at another time than the holder did, so it was reused. On macOS only the pid's
 * liveness is checked, so a stale lock whose pid a new process reused blocks until that process exits. A lock file is
 * removed only while it still holds the record judged stale (see removeIfStill), so a new holder keeps its lock.
 */
export async function acquireFolderLock(dir: string, options: FolderLockOptions): Promise<FolderLock> {
  const path = join(dir, options.fileName);
  const mine: LockRecord = { pid: process.pid, startTime: processStartTime(process.pid), nonce: randomBytes(16).toString('hex'), at: new Date().toISOString() };
  const temp = `${path}.${mine.nonce}.tmp`;
  await writeFile(temp, JSON.stringify(mine), { mode: 0o600, flag: 'wx' });
  try {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (await linkExclusive(temp, path)) {
        heldHere.add(mine.nonce);
        return heldLock(path, mine.nonce);
      }
      const current = await readRecord(path);
      if (current === undefined) continue;
      if (current !== null && isLive(current)) throw new FolderLockedError(current.pid, options.holderName, dir);
      await removeIfStill(path, current);
    }
    throw new Error(`could not take the lock ${path}: other processes kept taking it over; try again`);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

function heldLock(path: string, nonce: string): FolderLock {
  const stillHeld = async () => (await readRecord(path))?.nonce === nonce;
  return {
    stillHeld,
    async release() {
      if (await stillHeld()) await unlink(path).catch(() => undefined);
      heldHere.delete(nonce);
    },
  };
}

async function linkExclusive(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** The record in the lock file; null if the file is not one (garbage counts as stale), undefined if it is gone. */
async function readRecord(path: string): Promise<LockRecord | null | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const value = JSON.parse(text) as Partial<LockRecord>;
    if (Number.isInteger(value.pid) && typeof value.nonce === 'string') return { pid: value.pid!, startTime: value.startTime ?? null, nonce: value.nonce, at: String(value.at) };
  } catch {
    // Not JSON: no process of ours wrote it, so nothing holds it.
  }
  return null;
}

/**
 * Deletes a stale lock file if it still holds the record judged stale.
 *
 * POSIX has no compare-and-delete, so removers take turns under a second link()-made guard file: with the guard held
 * nobody else removes the lock, and nobody can create one while it exists, so what was read is what is deleted. A
 * guard left by a remover that died in those few microseconds is cleared once it is GUARD_ABANDONED_MS old.
 */
async function removeIfStill(path: string, judged: LockRecord | null): Promise<void> {
  const guard = `${path}.takeover`;
  const mine = `${guard}.${randomBytes(8).toString('hex')}.tmp`;
  await writeFile(mine, String(process.pid), { mode: 0o600, flag: 'wx' });
  try {
    if (!(await linkExclusive(mine, guard))) {
      await clearAbandonedGuard(guard);
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 20));
      return;
    }
    try {
      const current = await readRecord(path);
      const same = current !== undefined && (judged === null ? current === null : current?.nonce === judged.nonce);
      if (same) await unlink(path);
    } finally {
      await unlink(guard);
    }
  } finally {
    await unlink(mine).catch(() => undefined);
  }
}

async function clearAbandonedGuard(guard: string): Promise<void> {
  const info = await stat(guard).catch(() => null);
  if (info !== null && Date.now() - info.mtimeMs > GUARD_ABANDONED_MS) await unlink(guard).catch(() => undefined);
}

function isLive(record: LockRecord): boolean {
  // A pid of our own is live only if this process holds that very lock: a container restarts an agent under the same pid.
  if (record.pid === process.pid) return heldHere.has(record.nonce);
  try {
    process.kill(record.pid, 0);
  } catch (error) {
    // EPERM: the pid runs as another user, which is still a live holder.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (process.platform !== 'linux') return true;
  const started = processStartTime(record.pid);
  return started !== null && (record.startTime === null || record.startTime === started);
}

/** Field 22 of /proc/<pid>/stat (start time since boot), or null off Linux, for a zombie or for a pid that is gone. */
function processStartTime(pid: number): string | null {
  if (process.platform !== 'linux') return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields are counted after its closing one.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return null;
    return fields[19] ?? null;
  } catch {
    return null;
  }
}
