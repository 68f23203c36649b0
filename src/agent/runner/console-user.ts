// Who is logged in at the Mac's console: the user a script that is not "Run as root" runs as (DESIGN.md §4).
import { assertAccountName, execFileOutput, findLocalUser, findMacUser, type CommandOutput, type RunAsUser } from './local-users';

/** Finds the user that scripts which are not "Run as root" run as. */
export interface ScriptUserSource {
  /** The user, or null when nobody is logged in. */
  currentUser(): Promise<RunAsUser | null>;
}

/** Owners of /dev/console that are not a person: the login window (root) and Setup Assistant. */
const NOT_A_PERSON = new Set(['root', 'loginwindow', '_mbsetupuser']);

/**
 * The console user of a Mac: the owner of /dev/console, looked up in Directory Services.
 *
 * The same answer as SCDynamicStoreCopyConsoleUser without linking SystemConfiguration; `run` is the test hook.
 */
export class MacConsoleUser implements ScriptUserSource {
  constructor(private readonly run: CommandOutput = execFileOutput) {}

  async currentUser(): Promise<RunAsUser | null> {
    const owner = (await this.run('/usr/bin/stat', ['-f', '%Su', '/dev/console'])).trim();
    if (owner === '' || NOT_A_PERSON.has(owner)) return null;
    assertAccountName(owner);
    const user = await findMacUser(owner, this.run);
    if (user === null) throw new Error(`the console user ${owner} is not in Directory Services`);
    return user;
  }
}

/** Always the same user: the configured script user of a Linux host or of `atwork-agent exec --user`. */
export class FixedScriptUser implements ScriptUserSource {
  constructor(private readonly user: RunAsUser) {}

  async currentUser(): Promise<RunAsUser> {
    return this.user;
  }
}

/** A local account named in the agent's configuration (ATWORK_SCRIPT_USER), looked up at each run so a later-created account works. */
export class NamedScriptUser implements ScriptUserSource {
  constructor(
    private readonly name: string,
    private readonly find: (name: string) => Promise<RunAsUser | null> = findLocalUser,
  ) {
    assertAccountName(name);
  }

  async currentUser(): Promise<RunAsUser> {
    const user = await this.find(this.name);
    if (user === null) throw new Error(`the configured script user ${this.name} does not exist on this computer`);
    return user;
  }
}
