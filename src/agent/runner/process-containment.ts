// Finds and signals every process of one script run: its session and, under the run supervisor, all its descendants (issue 9).
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProcessInfo, ProcessTable } from '../core/ports';

/** What identifies a run's processes, also across an agent restart (kept in the run journal). */
export interface RunProcessIdentity {
  /** The run's root: the supervisor, or the script itself without one. It leads the run's session: the session id is this pid. */
  pid: number;
  /** The root's start identity from the process table; null where the platform has no table. */
  startId: string | null;
  /** Whether the root is the run supervisor (a child subreaper), so every descendant stays under it. */
  supervised: boolean;
}

/** How the containment sends a signal to one process or, without a process table, to a process group. */
export interface Signaller {
  signal(pid: number, signal: NodeJS.Signals): void;
  signalGroup(pgid: number, signal: NodeJS.Signals): void;
}

/** Pause between SIGKILL passes: long enough for the kernel to deliver them, short next to the kill grace. Real time, not the agent's Clock: it paces the kernel, not a schedule. */
const PASS_PAUSE_MS = 5;
/** Bound on SIGKILL passes; a tree that still grows after this many is reported, not waited for forever. */
const MAX_KILL_PASSES = 400;

/**
 * The live processes of the run in `snapshot`, never the root of a supervised run (it is ended last) nor `selfPid`.
 *
 * - The session: Linux never hands out a pid still used as a session id, so members of the root's session are the
 *   run's, unless the root pid now belongs to another process (the session ended and the pid was reused).
 * - The descendants of the root, by parent pid, while the root is the process recorded: under the subreaper that is
 *   everything the script started, whatever session or group it moved to.
 */
export function runMembers(snapshot: readonly ProcessInfo[], root: RunProcessIdentity, selfPid: number): ProcessInfo[] {
  const current = snapshot.find((p) => p.pid === root.pid);
  const rootIsOurs = current !== undefined && root.startId !== null && current.startId === root.startId;
  const members = new Map<number, ProcessInfo>();
  if (current === undefined || rootIsOurs) {
    for (const p of snapshot) if (p.sid === root.pid) members.set(p.pid, p);
  }
  if (rootIsOurs) {
    const children = new Map<number, ProcessInfo[]>();
    for (const p of snapshot) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
    const visited = new Set([root.pid]);
    const queue = [root.pid];
    for (let parent = queue.pop(); parent !== undefined; parent = queue.pop()) {
      for (const child of children.get(parent) ?? []) {
        if (visited.has(child.pid)) continue;
        visited.add(child.pid);
        members.set(child.pid, child);
        queue.push(child.pid);
      }
    }
  }
  if (root.supervised) members.delete(root.pid);
  members.delete(selfPid);
  return [...members.values()].filter((p) => !p.zombie);
}

/** Signals the processes of one run; without a process table, its process group as the best the platform allows. */
export class RunContainment {
  constructor(
    private readonly root: RunProcessIdentity,
    private readonly table: ProcessTable | null,
    private readonly signaller: Signaller,
  ) {}

  /**
   * One pass: `signal` to every process of the run now; returns how many there were. Each pid is checked against its
   * start identity right before the signal, so a pid that ended and was reused since the snapshot is left alone.
   */
  signalAll(signal: NodeJS.Signals): number {
    if (this.table === null) {
      this.signaller.signalGroup(this.root.pid, signal);
      return 0;
    }
    const members = runMembers(this.table.list(), this.root, process.pid);
    for (const member of members) {
      if (this.table.startIdOf(member.pid) === member.startId) this.signaller.signal(member.pid, signal);
    }
    return members.length;
  }

  /**
   * SIGKILL passes until no process of the run is left: a fork racing a pass is re-parented to the subreaper (or
   * stays in the session) and is caught by the next one. Returns how many were still alive when the bound was hit.
   */
  async killAll(): Promise<number> {
    let left = this.signalAll('SIGKILL');
    for (let pass = 1; left > 0 && pass < MAX_KILL_PASSES; pass++) {
      await sleep(PASS_PAUSE_MS);
      left = this.signalAll('SIGKILL');
    }
    return left;
  }

  /** SIGKILL to the root itself, only while it is still the process recorded. */
  killRoot(): void {
    if (this.table === null || this.root.startId === null) {
      this.signaller.signalGroup(this.root.pid, 'SIGKILL');
    } else if (this.table.startIdOf(this.root.pid) === this.root.startId) {
      this.signaller.signal(this.root.pid, 'SIGKILL');
    }
  }
}

/** How long a supervisor whose descendants were killed at recovery may take to exit. */
const LEFTOVER_ROOT_EXIT_MS = 1000;

/**
 * Ends what a run of a dead agent left: its session, the supervisor's descendants, then the supervisor. `killed` is
 * how many processes the first pass found; `left` is -1 when the platform cannot verify identities, so nothing was sent.
 */
export async function endLeftoverRun(
  identity: RunProcessIdentity,
  spawner: Signaller & { readonly processes: ProcessTable | null },
): Promise<{ killed: number; left: number }> {
  const table = spawner.processes;
  // A bare pid from an earlier boot or a long time ago may be anyone's now: without a start identity nothing is sent.
  if (table === null || identity.startId === null) return { killed: 0, left: -1 };
  const containment = new RunContainment(identity, table, spawner);
  const killed = runMembers(table.list(), identity, process.pid).length;
  const left = await containment.killAll();
  if (identity.supervised) {
    for (let waited = 0; waited < LEFTOVER_ROOT_EXIT_MS && table.startIdOf(identity.pid) === identity.startId; waited += PASS_PAUSE_MS) await sleep(PASS_PAUSE_MS);
    containment.killRoot();
  }
  return { killed, left };
}
