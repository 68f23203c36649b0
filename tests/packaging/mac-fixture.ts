// A Mac with Atwork installed, under a temp root, for build/uninstall.sh: its files, recording fakes of the Mac's commands, and its processes.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const HOME_PATHS = [
  'Library/Application Support/Atwork',
  'Library/Logs/Atwork',
  'Library/Caches/org.atwork.agent',
  'Library/HTTPStorages/org.atwork.agent',
  'Library/Preferences/org.atwork.agent.plist',
  'Library/Saved Application State/org.atwork.agent.savedState',
] as const;

/** What is Atwork's and must go, relative to the root (a trailing / marks a folder). */
export const ATWORK_PATHS = [
  'Applications/Atwork.app/',
  'Library/LaunchDaemons/org.atwork.agent.daemon.plist',
  'Library/LaunchAgents/org.atwork.agent.ui.plist',
  'Library/Application Support/Atwork/',
  'Library/Logs/Atwork/',
  'Users/alice/Library/Application Support/Atwork/',
  'Users/alice/Library/Logs/Atwork/',
  'Users/alice/Library/HTTPStorages/org.atwork.agent/',
  'Users/alice/Library/Preferences/org.atwork.agent.plist',
  'Users/alice/Library/Saved Application State/org.atwork.agent.savedState/',
  'Users/bob/Library/Application Support/Atwork/',
  'var/root/Library/Application Support/Atwork/',
] as const;

/** Other vendors' files beside Atwork's, and Atwork-named files in places that are not a user's home: all stay. */
export const SIBLING_PATHS = [
  'Applications/Atwork Helper.app/',
  'Applications/AtworkOther.app/',
  'Library/LaunchDaemons/com.vendor.agent.plist',
  'Library/LaunchAgents/com.vendor.agent.ui.plist',
  'Library/Application Support/AtworkOther/',
  'Library/Logs/AtworkOther/',
  'Users/alice/Library/Application Support/AtworkOther/',
  'Users/alice/Library/Preferences/org.atwork.agent.other.plist',
  'Users/Shared/Library/Application Support/Atwork/',
  'Users/.hidden/Library/Application Support/Atwork/',
] as const;

/** Launchd jobs loaded at the start: Atwork's two (alice is logged in as uid 501) and a vendor's. */
export const LOADED_JOBS = ['system/org.atwork.agent.daemon', 'gui/501/org.atwork.agent.ui', 'system/com.vendor.agent'];
/** Package receipts at the start: only the first is Atwork's; the others are a catalog app, a vendor's and a look-alike. */
export const RECEIPTS = ['org.atwork.agent', 'org.atwork.demo.notes', 'com.vendor.agent', 'org.atwork.agentx'];
export const SAFE_STORAGE_ITEM = 'Atwork Safe Storage|Atwork';

export interface MacFixture {
  root: string;
  /** Outside the root: where the links planted in users' Libraries point. */
  outside: string;
  fakeBin: string;
  fakeState: string;
  fakeLog: string;
}

/** What every fake does first: one line in the log, the command's name and its arguments, tab-separated. */
const RECORD = `#!/bin/sh
{ printf '%s' "\${0##*/}"; for arg in "$@"; do printf '\\t%s' "$arg"; done; printf '\\n'; } >>"$FAKE_LOG"
`;

/** Removes line $1 from file $2; exits 1 when it was not there. */
const TAKE_LINE = `take_line() {
  grep -qxF -- "$1" "$2" || return 1
  grep -vxF -- "$1" "$2" >"$2.new"
  mv "$2.new" "$2"
}
`;

const FAKES: Record<string, string> = {
  launchctl: `${TAKE_LINE}case $1 in
  print) grep -qxF -- "$2" "$FAKE_STATE/launchd" ;;
  bootout) take_line "$2" "$FAKE_STATE/launchd" || { echo "Boot-out failed: 3: No such process" >&2; exit 3; } ;;
  asuser) shift 2; exec "$@" ;;
  *) exit 64 ;;
esac
`,
  sudo: `while :; do
  case $1 in
    -H) shift ;;
    -u) FAKE_AS_USER=$2; export FAKE_AS_USER; shift 2 ;;
    *) break ;;
  esac
done
exec "$@"
`,
  security: `${TAKE_LINE}[ "$1" = delete-generic-password ] && [ "$2" = -s ] && [ "$4" = -a ] || exit 64
take_line "$3|$5" "$FAKE_STATE/keychain-\${FAKE_AS_USER:-root}" || { echo "security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain." >&2; exit 44; }
echo "password has been deleted."
`,
  pkgutil: `${TAKE_LINE}case $1 in
  --pkgs) cat "$FAKE_STATE/receipts" ;;
  --forget) take_line "$2" "$FAKE_STATE/receipts" || { echo "No receipt for '$2' found at '/'." >&2; exit 1; }; echo "Forgot package '$2' on '/'." ;;
  *) exit 64 ;;
esac
`,
  who: `cat "$FAKE_STATE/who"
`,
  id: `if [ "$#" = 2 ] && [ "$1" = -u ]; then
  awk -v name="$2" '$1 == name { print $2; found = 1 } END { exit !found }' "$FAKE_STATE/uids" && exit 0
  echo "id: '$2': no such user" >&2; exit 1
fi
if [ "$*" = -u ] && [ -n "\${FAKE_UID:-}" ]; then echo "$FAKE_UID"; exit 0; fi
exec /usr/bin/id "$@"
`,
};

async function put(file: string, contents = 'x\n'): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, contents);
}

async function plantLink(target: string, at: string): Promise<void> {
  await mkdir(path.dirname(at), { recursive: true });
  await symlink(target, at);
}

/** Lays out the files: a folder gets one file inside, so removing it means removing what it holds. */
async function layOut(root: string, paths: readonly string[]): Promise<void> {
  for (const entry of paths) {
    const target = path.join(root, entry);
    if (entry.endsWith('/')) await put(path.join(target, 'data.json'));
    else await put(target);
  }
}

export async function createMacFixture(): Promise<MacFixture> {
  const base = await mkdtemp(path.join(tmpdir(), 'atwork-uninstall-'));
  const fixture: MacFixture = {
    root: path.join(base, 'mac'),
    outside: path.join(base, 'outside'),
    fakeBin: path.join(base, 'fake-bin'),
    fakeState: path.join(base, 'fake-state'),
    fakeLog: path.join(base, 'fake-calls.log'),
  };
  const { root, outside } = fixture;
  await layOut(root, [...ATWORK_PATHS, ...SIBLING_PATHS]);

  // Executables named as the Mac names them; sleep stands in for each, so `pkill -f` has a real process to match.
  const sleep = execFileSync('sh', ['-c', 'command -v sleep'], { encoding: 'utf8' }).trim();
  for (const binary of [appBinary(root), appHelperBinary(root), siblingHelperBinary(root)]) {
    await mkdir(path.dirname(binary), { recursive: true });
    await copyFile(sleep, binary);
    await chmod(binary, 0o755);
  }

  // Links a user could plant to make root delete elsewhere: the target itself, a folder above it, and a whole home.
  await put(path.join(outside, 'cache', 'keep.txt'));
  await plantLink(path.join(outside, 'cache'), path.join(root, 'Users/alice/Library/Caches/org.atwork.agent'));
  await put(path.join(outside, 'logs', 'Atwork', 'keep.log'));
  await plantLink(path.join(outside, 'logs'), path.join(root, 'Users/bob/Library/Logs'));
  await put(path.join(outside, 'mallory', 'Library/Application Support/Atwork/keep.json'));
  await plantLink(path.join(outside, 'mallory'), path.join(root, 'Users/mallory'));

  await mkdir(fixture.fakeBin, { recursive: true });
  for (const [name, body] of Object.entries(FAKES)) {
    await writeFile(path.join(fixture.fakeBin, name), RECORD + body, { mode: 0o755 });
  }
  await put(path.join(fixture.fakeState, 'launchd'), lines(LOADED_JOBS));
  await put(path.join(fixture.fakeState, 'receipts'), lines(RECEIPTS));
  await put(path.join(fixture.fakeState, 'keychain-alice'), lines([SAFE_STORAGE_ITEM, 'Chromium Safe Storage|Chromium']));
  await put(path.join(fixture.fakeState, 'keychain-root'), lines([SAFE_STORAGE_ITEM]));
  await put(path.join(fixture.fakeState, 'who'), lines(['alice    console  Dec  2 09:00', 'alice    ttys000  Dec  2 09:01', 'carol    ttys001  Dec  2 09:02']));
  await put(path.join(fixture.fakeState, 'uids'), lines(['alice 501', 'bob 502', 'carol 503']));
  await writeFile(fixture.fakeLog, '');
  return fixture;
}

function lines(items: readonly string[]): string {
  return items.map((item) => `${item}\n`).join('');
}

export function appBinary(root: string): string {
  return path.join(root, 'Applications/Atwork.app/Contents/MacOS/Atwork');
}

export function appHelperBinary(root: string): string {
  return path.join(root, 'Applications/Atwork.app/Contents/Frameworks/Atwork Helper.app/Contents/MacOS/Atwork Helper');
}

/** Another vendor's app whose name starts like Atwork's: its process must survive. */
export function siblingHelperBinary(root: string): string {
  return path.join(root, 'Applications/Atwork Helper.app/Contents/MacOS/Atwork Helper');
}

/** The script of a run in progress, where the daemon's runner puts it: <temp root>/atwork-run-XXXXXX/w/. */
export async function writeRunningScript(root: string): Promise<string> {
  const script = path.join(root, 'private/tmp/atwork-run-Ab12Cd/w/script.sh');
  // A child that outlives nothing on its own: only a signal to the whole group ends it.
  await put(script, 'sleep 300 &\nsleep 301\n');
  return script;
}

/** A process in a process group of its own, as the runner starts scripts (setsid). */
export function startProcess(command: string, args: string[]): ChildProcess {
  return spawn(command, args, { detached: true, stdio: 'ignore' });
}

/** Whether the process is alive: there, and not a zombie (one the container's init never reaps is already dead). */
export function isAlive(pid: number): boolean {
  try {
    const state = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return state !== '' && !state.startsWith('Z');
  } catch {
    return false;
  }
}

/** The live processes of a process group. */
export function liveMembers(pgid: number): number[] {
  const table = execFileSync('ps', ['-A', '-o', 'pid=,pgid=,stat='], { encoding: 'utf8' });
  return table
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([pid, group, state]) => pid !== undefined && Number(group) === pgid && state !== undefined && !state.startsWith('Z'))
    .map(([pid]) => Number(pid));
}
