// Which processes of a session are still alive, read from /proc (Linux): for the runner's tests and benchmark.
import { readdirSync, readFileSync } from 'node:fs';

/** Pids of the live (not zombie) processes in session `sid`. */
export function liveSessionMembers(sid: number): number[] {
  return liveProcesses().filter((p) => p.session === sid).map((p) => p.pid);
}

function liveProcesses(): { pid: number; session: number }[] {
  const live: { pid: number; session: number }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after the command name: state, ppid, pgrp, session, ...
    const [state, , , session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state !== 'Z') live.push({ pid: Number(entry), session: Number(session) });
  }
  return live;
}
