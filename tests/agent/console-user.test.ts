// Console user lookup behind its port (macOS commands faked and recorded) and local account lookups.
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MacConsoleUser, NamedScriptUser } from '../../src/agent/runner/console-user';
import { findMacUser, findPasswdUser, type CommandOutput } from '../../src/agent/runner/local-users';
import { tempDir } from './agent-test-kit';
import { realRunner, runRequest } from './runner-test-kit';

/** Answers macOS commands from a table and records each call. */
function fakeMac(answers: Record<string, string | Error>): CommandOutput & { calls: string[] } {
  const calls: string[] = [];
  const run = async (file: string, args: readonly string[]) => {
    const call = [file, ...args].join(' ');
    calls.push(call);
    const answer = answers[call];
    if (answer === undefined) throw new Error(`unexpected command ${call}`);
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return Object.assign(run, { calls });
}

const STAT = '/usr/bin/stat -f %Su /dev/console';
const dscl = (name: string) => `/usr/bin/dscl . -read /Users/${name} UniqueID PrimaryGroupID NFSHomeDirectory`;

describe('MacConsoleUser', () => {
  it('finds the console user and their uid, gid and home', async () => {
    const run = fakeMac({ [STAT]: 'alice\n', [dscl('alice')]: 'NFSHomeDirectory: /Users/alice\nPrimaryGroupID: 20\nUniqueID: 501\n' });
    expect(await new MacConsoleUser(run).currentUser()).toEqual({ uid: 501, gid: 20, name: 'alice', home: '/Users/alice' });
    expect(run.calls).toEqual([STAT, dscl('alice')]);
  });

  it('reads a home with spaces, which dscl puts on the next line', async () => {
    const run = fakeMac({ [STAT]: 'bob\n', [dscl('bob')]: 'NFSHomeDirectory:\n /Users/Bob Smith\nPrimaryGroupID: 20\nUniqueID: 502\n' });
    expect(await new MacConsoleUser(run).currentUser()).toMatchObject({ uid: 502, home: '/Users/Bob Smith' });
  });

  it.each(['root', 'loginwindow', '_mbsetupuser', ''])('sees nobody logged in when /dev/console belongs to %j', async (owner) => {
    const run = fakeMac({ [STAT]: `${owner}\n` });
    expect(await new MacConsoleUser(run).currentUser()).toBeNull();
    expect(run.calls).toEqual([STAT]);
  });

  it('refuses an owner name a command line could misread', async () => {
    const run = fakeMac({ [STAT]: '-rf /\n' });
    await expect(new MacConsoleUser(run).currentUser()).rejects.toThrow('"-rf /" is not a valid account name');
    expect(run.calls).toEqual([STAT]);
  });

  it('fails clearly when the console user is not in Directory Services', async () => {
    const run = fakeMac({ [STAT]: 'ghost\n', [dscl('ghost')]: new Error('eDSRecordNotFound') });
    await expect(new MacConsoleUser(run).currentUser()).rejects.toThrow('the console user ghost is not in Directory Services');
  });

  it('rejects a record without usable ids', async () => {
    const run = fakeMac({ [dscl('carol')]: 'NFSHomeDirectory: /Users/carol\n' });
    await expect(findMacUser('carol', run)).rejects.toThrow('Directory Services gave no usable uid and gid for carol');
  });
});

describe('findPasswdUser', () => {
  it('reads uid, gid and home from a passwd file', async () => {
    const file = join(await tempDir(), 'passwd');
    await writeFile(file, 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n');
    expect(await findPasswdUser('nobody', file)).toEqual({ uid: 65534, gid: 65534, name: 'nobody', home: '/nonexistent' });
    expect(await findPasswdUser('alice', file)).toBeNull();
  });
});

describe('NamedScriptUser (ATWORK_SCRIPT_USER)', () => {
  it('refuses a malformed account name at configuration time', () => {
    expect(() => new NamedScriptUser('nobody; rm -rf /')).toThrow();
  });

  it('fails the run with a clear error when the account does not exist', async () => {
    await expect(new NamedScriptUser('atwork-no-such-user', async () => null).currentUser()).rejects.toThrow(/configured script user atwork-no-such-user does not exist/);
  });

  it.skipIf(process.getuid?.() !== 0)('runs a script that is not "Run as root" as the configured account when the agent is root', async () => {
    const { runner, tempRoot } = await realRunner({ userSource: new NamedScriptUser('nobody') });
    // Like /tmp, the folder above the run folders must let the script's user pass through.
    await chmod(tempRoot, 0o711);
    const outcome = await runner.run(runRequest('id -u; id -un'));
    expect(outcome).toMatchObject({ exitCode: 0, stdout: '65534\nnobody\n' });
  });
});
