// The automated-enrollment file: the PKG of an automated enrollment leaves the server and an enrollment token where the
// agent finds them at its first start; the agent takes them into its own folder once and deletes the file.
import { constants } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ENROLLMENT_TOKEN_PATTERN } from '../../shared/protocol';
import { writeFileAtomic } from '../state/atomic-file';
import { ensurePrivateDir } from '../state/file-state-store';

/** Where the PKG's postinstall puts the file on a Mac (docs/enrollment.md); ATWORK_ENROLLMENT_FILE elsewhere, and in tests. */
export const MAC_ENROLLMENT_FILE = '/Library/Application Support/Atwork/enrollment.json';
/** The pending enrollment, in the agent's own 0700 state folder until the server has answered it. */
export const PENDING_ENROLLMENT_FILE = 'pending-enrollment.json';
/** Far above the few hundred bytes the file holds; nothing bigger is read. */
const MAX_FILE_BYTES = 4096;

export const EnrollmentFileSchema = z.strictObject({
  serverUrl: z.string().min(1).max(2048),
  token: z.string().regex(ENROLLMENT_TOKEN_PATTERN, 'the token is not atwe_ followed by 43 letters, digits, - or _'),
});
export type EnrollmentFile = z.infer<typeof EnrollmentFileSchema>;

/** Why an enrollment file was refused; it is deleted all the same, so a bad file is reported once and not read again. */
export class EnrollmentFileRefused extends Error {}

/**
 * Moves the enrollment file into the state folder and deletes it; null when there is none.
 *
 * A token tells the agent which server to trust from now on, so the file must be a regular file (not a link) that only
 * its owner, root when the agent runs as root, can write: one that another user could have written is refused.
 */
export async function takeEnrollmentFile(filePath: string, stateDir: string): Promise<EnrollmentFile | null> {
  let text: string;
  try {
    text = await readChecked(filePath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    await rm(filePath, { force: true });
    throw error;
  }
  const parsed = EnrollmentFileSchema.safeParse(parseJson(text));
  if (!parsed.success) {
    await rm(filePath, { force: true });
    throw new EnrollmentFileRefused(`the enrollment file ${filePath} is not valid: ${parsed.error.issues[0]?.message ?? 'unreadable'}`);
  }
  // Kept in the state folder first, then deleted: a stop between the two leaves both, never neither.
  await ensurePrivateDir(stateDir);
  await writeFileAtomic(join(stateDir, PENDING_ENROLLMENT_FILE), JSON.stringify(parsed.data), 0o600);
  await rm(filePath, { force: true });
  return parsed.data;
}

async function readChecked(filePath: string): Promise<string> {
  let handle;
  try {
    // O_NOFOLLOW: a link put in the file's place is refused, not followed (checked on what is opened, not on the name).
    handle = await open(filePath, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new EnrollmentFileRefused(`the enrollment file ${filePath} is a symbolic link`);
    throw error;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new EnrollmentFileRefused(`the enrollment file ${filePath} is not a regular file`);
    if (stat.size > MAX_FILE_BYTES) throw new EnrollmentFileRefused(`the enrollment file ${filePath} is larger than ${MAX_FILE_BYTES} bytes`);
    if ((stat.mode & 0o022) !== 0) throw new EnrollmentFileRefused(`the enrollment file ${filePath} is writable by other users than its owner`);
    const root = process.getuid?.() === 0;
    if (root && stat.uid !== 0) throw new EnrollmentFileRefused(`the enrollment file ${filePath} is not owned by root`);
    return (await handle.readFile()).toString('utf8');
  } finally {
    await handle.close();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** The enrollment taken earlier and not yet answered by the server, or null. */
export async function readPendingEnrollment(stateDir: string): Promise<EnrollmentFile | null> {
  let text: string;
  try {
    text = await readFile(join(stateDir, PENDING_ENROLLMENT_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const parsed = EnrollmentFileSchema.safeParse(parseJson(text));
  return parsed.success ? parsed.data : null;
}

export async function dropPendingEnrollment(stateDir: string): Promise<void> {
  await rm(join(stateDir, PENDING_ENROLLMENT_FILE), { force: true });
}
