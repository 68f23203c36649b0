// The process table on Linux: which processes exist, with their parent, group, session and a start identity (issue 9).
import { readdirSync, readFileSync } from 'node:fs';
import type { ProcessInfo, ProcessTable } from '../core/ports';

/**
 * Linux: /proc/<pid>/stat. The start time (field 22, clock ticks since boot) with the boot id makes the identity, so
 * a pid reused after a reboot or a restart of the numbering never matches a recorded one.
 */
export class LinuxProcessTable implements ProcessTable {
  private bootId: string | null = null;

  list(): ProcessInfo[] {
    const processes: ProcessInfo[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const info = this.read(Number(entry));
      if (info !== null) processes.push(info);
    }
    return processes;
  }

  startIdOf(pid: number): string | null {
    return this.read(pid)?.startId ?? null;
  }

  private read(pid: number): ProcessInfo | null {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return null;
    }
    // The command name may hold spaces and parentheses; everything after the last ')' is fixed fields from field 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [state, ppid, pgid, sid] = fields;
    return { pid, ppid: Number(ppid), pgid: Number(pgid), sid: Number(sid), startId: `${this.boot()}:${fields[19]}`, zombie: state === 'Z' || state === 'X' };
  }

  private boot(): string {
    this.bootId ??= readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return this.bootId;
  }
}

/**
 * The table of this platform, or null where the agent has none.
 *
 * macOS has no /proc: an implementation would use proc_listallpids() with proc_pidinfo(PROC_PIDTBSDINFO) for the
 * parent, group and start time (pbi_start_tvsec/usec) and getsid() per pid, from a small native helper, or parse
 * `ps -axo pid=,ppid=,pgid=,lstart=`. Without it the runner contains a run by its process group only (docs/security.md).
 */
export function platformProcessTable(): ProcessTable | null {
  return process.platform === 'linux' ? new LinuxProcessTable() : null;
}
