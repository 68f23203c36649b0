#!/bin/bash
# Removes the agent after retire (DESIGN.md §8): launchd job, state, logs, app and package receipts. Runs as root.
set -uo pipefail
LABEL=org.atwork.agent.daemon
launchctl bootout system "/Library/LaunchDaemons/$LABEL.plist" 2>/dev/null
rm -f "/Library/LaunchDaemons/$LABEL.plist"
rm -rf "/Library/Application Support/Atwork" /Library/Logs/Atwork
rm -rf /Applications/Atwork.app
pkgutil --forget org.atwork.agent >/dev/null 2>&1
exit 0
