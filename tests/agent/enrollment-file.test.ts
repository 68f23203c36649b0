// The automated-enrollment file: taken into the state folder once and deleted, and refused when another user could
// have written it, when it is a link, too big or not an enrollment.
import { chmod, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dropPendingEnrollment, PENDING_ENROLLMENT_FILE, readPendingEnrollment, takeEnrollmentFile } from '../../src/agent/enrollment/enrollment-file';
import { tempDir } from './agent-test-kit';

const TOKEN = `atwe_${'A'.repeat(43)}`;
const GOOD = JSON.stringify({ serverUrl: 'https://mdm.example.com', token: TOKEN });

async function placed(text: string, mode = 0o600): Promise<{ file: string; stateDir: string }> {
  const dir = await tempDir();
  const file = join(dir, 'enrollment.json');
  await writeFile(file, text, { mode });
  await chmod(file, mode);
  return { file, stateDir: join(dir, 'agent') };
}

describe('the enrollment file', () => {
  it('is taken into the state folder as a 0600 file and deleted, once', async () => {
    const { file, stateDir } = await placed(GOOD);
    expect(await takeEnrollmentFile(file, stateDir)).toEqual({ serverUrl: 'https://mdm.example.com', token: TOKEN });
    expect(existsSync(file)).toBe(false);
    const pending = join(stateDir, PENDING_ENROLLMENT_FILE);
    expect((await stat(pending)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(pending, 'utf8'))).toEqual({ serverUrl: 'https://mdm.example.com', token: TOKEN });
    expect(await readPendingEnrollment(stateDir)).toEqual({ serverUrl: 'https://mdm.example.com', token: TOKEN });
    expect(await takeEnrollmentFile(file, stateDir)).toBeNull();
    await dropPendingEnrollment(stateDir);
    expect(await readPendingEnrollment(stateDir)).toBeNull();
  });

  it('is nothing when there is none', async () => {
    const dir = await tempDir();
    expect(await takeEnrollmentFile(join(dir, 'enrollment.json'), join(dir, 'agent'))).toBeNull();
    expect(await readPendingEnrollment(join(dir, 'agent'))).toBeNull();
  });

  it.each([
    ['writable by others', GOOD, 0o666, 'is writable by other users than its owner'],
    ['writable by its group', GOOD, 0o620, 'is writable by other users than its owner'],
    ['not JSON', 'serverUrl=https://mdm.example.com', 0o600, 'is not valid'],
    ['a wrong token', JSON.stringify({ serverUrl: 'https://mdm.example.com', token: 'atwe_short' }), 0o600, 'the token is not atwe_ followed by 43'],
    ['an unknown field', JSON.stringify({ serverUrl: 'https://mdm.example.com', token: TOKEN, user: 'root' }), 0o600, 'is not valid'],
    ['too big', JSON.stringify({ serverUrl: `https://mdm.example.com/${'x'.repeat(5000)}`, token: TOKEN }), 0o600, 'is larger than 4096 bytes'],
  ])('is refused when %s, deleted, and nothing is kept', async (_what, text, mode, message) => {
    const { file, stateDir } = await placed(text, mode);
    await expect(takeEnrollmentFile(file, stateDir)).rejects.toThrow(message);
    expect(existsSync(file)).toBe(false);
    expect(await readPendingEnrollment(stateDir)).toBeNull();
  });

  it('refuses a symbolic link in its place without reading or touching the target', async () => {
    const dir = await tempDir();
    const target = join(dir, 'elsewhere.json');
    await writeFile(target, GOOD, { mode: 0o600 });
    const file = join(dir, 'enrollment.json');
    await symlink(target, file);
    await expect(takeEnrollmentFile(file, join(dir, 'agent'))).rejects.toThrow('is a symbolic link');
    expect(existsSync(file)).toBe(false);
    expect(await readFile(target, 'utf8')).toBe(GOOD);
    expect(await readPendingEnrollment(join(dir, 'agent'))).toBeNull();
  });

  it('reads a garbled pending enrollment as none', async () => {
    const { file, stateDir } = await placed(GOOD);
    await takeEnrollmentFile(file, stateDir);
    await writeFile(join(stateDir, PENDING_ENROLLMENT_FILE), '{"serverUrl": ');
    expect(await readPendingEnrollment(stateDir)).toBeNull();
  });
});
