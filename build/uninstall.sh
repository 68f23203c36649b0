#!/bin/sh
# Removes Atwork from this Mac (DESIGN.md §8, issue 13); run as root, safe to run twice; docs/uninstall.md lists what goes.
#
# Prints one line per thing it removed on stdout; what it left and why goes to stderr. Exits 0 once nothing of Atwork's
# is left that it could remove, 1 when a removal failed.
#
# Test contract: every path is prefixed with $ATWORK_ROOT (empty, the real /, by default) and, under such a root, every
# external command is looked up on PATH, so tests/packaging/uninstall-script.test.ts runs it with recording fakes. Logged-in
# users come from `who` (its "console" lines: one per graphical login, fast user switching included) and their uids from
# `id -u NAME`, both answerable by a fake.
set -u

DAEMON_LABEL=org.atwork.agent.daemon
UI_LABEL=org.atwork.agent.ui
# The PKG's identifier is the appId of electron-builder.yml; a component package would be org.atwork.agent.<name>.
PACKAGE_IDS='^org\.atwork\.agent(\.[A-Za-z0-9.-]+)?$'
APP=/Applications/Atwork.app
# Electron's safeStorage keeps its key as service "<app name> Safe Storage", account "<app name>".
KEYCHAIN_SERVICE='Atwork Safe Storage'
KEYCHAIN_ACCOUNT=Atwork
# Below each home: what the app (Electron, and macOS for its bundle id org.atwork.agent) writes there.
HOME_PATHS='Library/Application Support/Atwork
Library/Logs/Atwork
Library/Caches/org.atwork.agent
Library/HTTPStorages/org.atwork.agent
Library/Preferences/org.atwork.agent.plist
Library/Saved Application State/org.atwork.agent.savedState'
# How long processes get after SIGTERM before SIGKILL: the daemon records a run it stops, so it gets a moment.
TERM_GRACE_SECONDS=10

failures=0

say() { printf '%s\n' "$*"; }
note() { printf 'uninstall.sh: %s\n' "$*" >&2; }
fail() {
  note "$*"
  failures=$((failures + 1))
}

ROOT=${ATWORK_ROOT:-}
ROOT=${ROOT%/}
case $ROOT in
  '' | /*) ;;
  *) note "ATWORK_ROOT must be an absolute path (it is \"$ROOT\"); leave it unset to uninstall from this Mac."; exit 1 ;;
esac
# On the Mac itself the commands are the system's: a folder on the caller's PATH that an admin user can write to
# (Homebrew's) must not hand root a fake launchctl. Only a test root takes them from PATH.
[ -n "$ROOT" ] || PATH=/usr/bin:/bin:/usr/sbin:/sbin

if [ "$(id -u)" != 0 ]; then
  note "Atwork's uninstaller must run as root: run it again with sudo."
  exit 1
fi

# An extended regular expression matching $1 literally (pkill and pgrep take EREs).
ere_quote() { printf '%s' "$1" | sed 's/[][\\.*^$+?(){}|]/\\&/g'; }

ROOT_RE=$(ere_quote "$ROOT")
# The app and its helpers, by the executable's full path: never another app, nor a command that merely names the path.
APP_PATTERN="^$ROOT_RE$(ere_quote "$APP")/Contents/(MacOS|Frameworks)/"
# A running script: its interpreter's argument is the script in the run's working folder <temp root>/atwork-run-XXXXXX/w/
# (src/agent/runner/run-work-folder.ts), root's temp folder for the daemon, the user's for the app.
SCRIPT_PATTERN="(^| )$ROOT_RE/([^ ]*/)?atwork-run-[A-Za-z0-9]{6}/w/"

# stop_job DOMAIN/LABEL: boots the job out of its launchd domain when it is loaded there.
stop_job() {
  launchctl print "$1" >/dev/null 2>&1 || return 0
  if launchctl bootout "$1"; then
    say "Stopped launchd job $1"
  else
    fail "could not boot out launchd job $1"
  fi
}

# The names of the users logged in graphically, one a line.
console_users() {
  who | awk '$2 == "console" { print $1 }' | sort -u
}

# uid_of NAME: the user's uid, or nothing when the name is not a user.
uid_of() {
  uid_answer=$(id -u "$1" 2>/dev/null) || return 1
  case $uid_answer in '' | *[!0-9]*) return 1 ;; esac
  printf '%s\n' "$uid_answer"
}

stop_jobs() {
  stop_job "system/$DAEMON_LABEL"
  for user in $(console_users); do
    user_uid=$(uid_of "$user") || continue
    stop_job "gui/$user_uid/$UI_LABEL"
  done
}

# Ends what is left once launchd let go: every script run's whole process group (a script's children carry no telling
# command line), then the app's processes; SIGTERM first, SIGKILL for whatever is still there after the grace.
end_processes() {
  own_group=$(ps -o pgid= -p $$ | tr -d ' ')
  script_groups=
  for pid in $(pgrep -f "$SCRIPT_PATTERN"); do
    group=$(ps -o pgid= -p "$pid" | tr -d ' ')
    # Never our own group: the agent may be running this very uninstaller as one of its scripts.
    case $group in '' | *[!0-9]* | 0 | 1 | "$own_group") continue ;; esac
    case ",$script_groups," in *",$group,"*) continue ;; esac
    script_groups=${script_groups:+$script_groups,}$group
  done
  app_pids=$(pgrep -f "$APP_PATTERN")
  [ -n "$script_groups" ] || [ -n "$app_pids" ] || return 0

  if [ -n "$script_groups" ]; then
    pkill -TERM -g "$script_groups"
    for group in $(printf '%s' "$script_groups" | tr ',' ' '); do say "Ended script process group $group"; done
  fi
  if [ -n "$app_pids" ]; then
    pkill -TERM -f "$APP_PATTERN"
    for pid in $app_pids; do say "Ended Atwork process $pid"; done
  fi

  waited=0
  while [ "$waited" -lt "$TERM_GRACE_SECONDS" ] && still_running; do
    sleep 1
    waited=$((waited + 1))
  done
  if still_running; then
    [ -z "$script_groups" ] || pkill -KILL -g "$script_groups"
    pkill -KILL -f "$APP_PATTERN"
  fi
}

# Whether a process of the script groups or of the app is still alive; a zombie is not, it only waits to be reaped.
still_running() {
  if [ -n "$script_groups" ] && ps -A -o pgid=,stat= | awk -v groups=",$script_groups," '
    index(groups, "," $1 ",") && $2 !~ /^Z/ { alive = 1 }
    END { exit !alive }'; then
    return 0
  fi
  for pid in $(pgrep -f "$APP_PATTERN"); do
    case $(ps -o stat= -p "$pid" | tr -d " ") in Z*) ;; *) return 0 ;; esac
  done
  return 1
}

# remove_below ANCHOR PATH: removes $ROOT/ANCHOR/PATH, a file or a folder, unless it is a link or lies behind one.
#
# ANCHOR is a folder only root can change; PATH may pass through folders a user owns (their home and Library). rm runs
# in the physical folder that holds the target, checked against the anchor, so a link a user plants or swaps in above the
# target cannot send it elsewhere; rm -rf itself never follows a link below.
remove_below() {
  anchor=$ROOT$1
  target=$anchor/$2
  if [ -L "$target" ]; then
    note "left $target: it is a symbolic link"
    return 0
  fi
  [ -e "$target" ] || return 0
  parent_path=${2%/*}
  [ "$parent_path" != "$2" ] || parent_path=
  (
    anchor_physical=$(cd -P -- "$anchor" && pwd -P) || exit 2
    cd -P -- "${target%/*}" || exit 2
    [ "$(pwd -P)" = "$anchor_physical${parent_path:+/$parent_path}" ] || exit 2
    rm -rf -- "./${2##*/}" || exit 1
  )
  case $? in
    0) say "Removed $target" ;;
    2) note "left $target: a folder above it is a symbolic link" ;;
    *) fail "could not remove $target" ;;
  esac
}

remove_launchd_plists() {
  remove_below /Library/LaunchDaemons "$DAEMON_LABEL.plist"
  remove_below /Library/LaunchAgents "$UI_LABEL.plist"
}

remove_system_files() {
  remove_below /Applications "${APP##*/}"
  remove_below '/Library/Application Support' Atwork
  remove_below /Library/Logs Atwork
}

# remove_home_files ANCHOR HOME: Atwork's files in one home, HOME given relative to ANCHOR.
remove_home_files() {
  # A here-document, not a pipe: the loop must run in this shell, where a failure is counted.
  while IFS= read -r home_path; do
    remove_below "$1" "$2/$home_path"
  done <<EOF
$HOME_PATHS
EOF
}

# Every home under /Users but Shared, and root's, where the daemon (Electron as root) keeps its app data.
remove_users_files() {
  for home in "$ROOT/Users"/*; do
    name=${home##*/}
    case $name in Shared | .*) continue ;; esac
    if [ -L "$home" ]; then
      note "left $home alone: it is a symbolic link"
      continue
    fi
    [ -d "$home" ] || continue
    had_support=no
    [ -d "$home/Library/Application Support/Atwork" ] && had_support=yes
    remove_home_files /Users "$name"
    if [ "$had_support" = yes ] && ! console_users | grep -qx -- "$name"; then
      note "the keychain item \"$KEYCHAIN_SERVICE\" of $name, if any, stays: a login keychain is locked while its user is logged out."
    fi
  done
  remove_home_files /var root
}

# delete_keychain_item WHO COMMAND...: runs `security delete-generic-password` for Atwork's item through COMMAND.
delete_keychain_item() {
  keychain_owner=$1
  shift
  "$@" security delete-generic-password -s "$KEYCHAIN_SERVICE" -a "$KEYCHAIN_ACCOUNT" >/dev/null 2>&1
  case $? in
    0) say "Deleted keychain item \"$KEYCHAIN_SERVICE\" of $keychain_owner" ;;
    44) ;; # not there (errSecItemNotFound)
    *) note "could not delete the keychain item \"$KEYCHAIN_SERVICE\" of $keychain_owner (its keychain may be locked)" ;;
  esac
}

# A user's login keychain opens only in that user's security session, and only as that user (root writing it would leave
# the file root's); a logged-out user's keychain is locked and stays as it is.
delete_keychain_items() {
  for user in $(console_users); do
    user_uid=$(uid_of "$user") || continue
    delete_keychain_item "$user" launchctl asuser "$user_uid" sudo -H -u "$user"
  done
  # The daemon is Electron as root: its item, should it keep one, is in root's keychain search list.
  delete_keychain_item root
}

forget_receipts() {
  for package in $(pkgutil --pkgs 2>/dev/null | grep -E -- "$PACKAGE_IDS"); do
    if pkgutil --forget "$package" >/dev/null; then
      say "Forgot package receipt $package"
    else
      fail "could not forget package receipt $package"
    fi
  done
}

# Jobs first, so launchd restarts nothing that is ended next; their plists next, so nothing loads them again.
stop_jobs
remove_launchd_plists
end_processes
delete_keychain_items
remove_system_files
remove_users_files
forget_receipts

[ "$failures" -eq 0 ] || exit 1
exit 0
