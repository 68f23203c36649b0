// The server's master key, which encrypts the tenant's private keys at rest: ATWORK_MASTER_KEY, else a 0600 file in the data folder.
import { randomBytes } from 'node:crypto';
import { lstat, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const MASTER_KEY_ENV = 'ATWORK_MASTER_KEY';
export const MASTER_KEY_FILE = 'master-key';
const MASTER_KEY_BYTES = 32;
const HOW_TO_MAKE_ONE = 'make one with `openssl rand -base64 32`';

/** A 32-byte key written as base64, base64url or hex; anything else is refused rather than stretched. */
function parseMasterKey(text: string, where: string): Buffer {
  const value = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(value)
    ? Buffer.from(value, 'hex')
    : /^[A-Za-z0-9+/_-]{43}={0,1}$/.test(value)
      ? Buffer.from(value.replace(/=$/, ''), 'base64url')
      : null;
  if (key === null || key.length !== MASTER_KEY_BYTES) {
    throw new Error(`The master key in ${where} is not ${MASTER_KEY_BYTES} bytes of base64 or hex; ${HOW_TO_MAKE_ONE}.`);
  }
  return key;
}

/** Reads the key file, refusing one that is a symlink, readable by others or owned by another user: it may have been swapped or copied. */
async function readKeyFile(file: string): Promise<Buffer | null> {
  let info;
  try {
    info = await lstat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  if (!info.isFile()) throw new Error(`The master key ${file} is not a regular file; replace it with the key file from your backup.`);
  if ((info.mode & 0o077) !== 0) throw new Error(`The master key ${file} is readable by other users; chmod 600 it and consider the tenant keys exposed.`);
  if (process.getuid !== undefined && info.uid !== process.getuid()) {
    throw new Error(`The master key ${file} belongs to another user; run the server as its owner.`);
  }
  return parseMasterKey(await readFile(file, 'utf8'), file);
}

/**
 * The master key of a data folder.
 *
 * `ATWORK_MASTER_KEY` wins, so that production can keep the key out of the data folder (and out of its backups);
 * without it the key lives in `<dataDir>/master-key`, created 0600 on first start.
 */
export async function loadMasterKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<Buffer> {
  const fromEnv = env[MASTER_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return parseMasterKey(fromEnv, MASTER_KEY_ENV);
  const file = path.join(dataDir, MASTER_KEY_FILE);
  const existing = await readKeyFile(file);
  if (existing !== null) return existing;
  const key = randomBytes(MASTER_KEY_BYTES);
  // 'wx' fails if another process created the file meanwhile, instead of overwriting the key it is using.
  await writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
