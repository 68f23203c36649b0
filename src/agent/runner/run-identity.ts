// Who a script runs as (the console user unless "Run as root") and the minimal, documented environment it gets (DESIGN.md §4).
import { userInfo } from 'node:os';
import type { ScriptUserSource } from './console-user';
import { SYSTEM_PATH, USER_PATH } from './interpreters';
import type { RunAsUser } from './local-users';

/** As the agent process itself (root for a "Run as root" script, or a non-root agent), or dropped to a user. */
export type RunIdentity = { kind: 'agent'; uid: number } | { kind: 'user'; user: RunAsUser };

/**
 * Decides who runs a script.
 *
 * "Run as root" needs a root agent. Any other script runs as the user `users` names when the agent is root (the
 * console user on a Mac, the configured user elsewhere), and as the agent when it is not root (it cannot switch). A
 * root agent with no user source runs it as itself: the development setup on Linux, never a packaged Mac agent.
 */
export async function resolveRunIdentity(runAsRoot: boolean, agentUid: number, users: ScriptUserSource | null): Promise<{ identity: RunIdentity } | { error: string }> {
  if (runAsRoot) {
    if (agentUid !== 0) return { error: `the script must run as root but the agent runs as uid ${agentUid}; install the agent as the root LaunchDaemon` };
    return { identity: { kind: 'agent', uid: 0 } };
  }
  if (agentUid !== 0 || users === null) return { identity: { kind: 'agent', uid: agentUid } };
  let user: RunAsUser | null;
  try {
    user = await users.currentUser();
  } catch (error) {
    return { error: `could not find the user to run the script as: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (user === null) return { error: 'nobody is logged in, so the script was not run; it runs as the logged-in user unless it is "Run as root"' };
  return { identity: { kind: 'user', user } };
}

export interface RunFacts {
  deviceId: string;
  executionId: string;
  workDir: string;
}

/**
 * The whole environment of a script: its variables plus PATH, HOME, USER, LOGNAME, LANG, TMPDIR, ATWORK_DEVICE_ID and
 * ATWORK_EXECUTION_ID. Nothing of the agent's own environment leaks in.
 *
 * TMPDIR is the private working folder, so temporary files go away with it.
 */
export function scriptEnvironment(identity: RunIdentity, facts: RunFacts, variables: Readonly<Record<string, string>>): Record<string, string> {
  const { uid, name, home } = identity.kind === 'user' ? identity.user : { uid: identity.uid, ...agentAccount() };
  const user = name ?? String(uid);
  return {
    ...variables,
    PATH: (uid === 0 ? SYSTEM_PATH : USER_PATH).join(':'),
    HOME: home ?? facts.workDir,
    USER: user,
    LOGNAME: user,
    LANG: 'en_US.UTF-8',
    TMPDIR: facts.workDir,
    ATWORK_DEVICE_ID: facts.deviceId,
    ATWORK_EXECUTION_ID: facts.executionId,
  };
}

/** Name and home of the agent's own account; a uid without a passwd entry (some containers) has neither. */
function agentAccount(): { name?: string; home?: string } {
  try {
    const info = userInfo();
    return { name: info.username, home: info.homedir };
  } catch {
    return {};
  }
}
