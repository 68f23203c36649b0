// The Node Spawner: child_process.spawn in a new session and process group (detached), stdin from /dev/null.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SpawnRequest, Spawner } from './ports';

export class NodeSpawner implements Spawner {
  async findExecutable(name: string, searchPath: readonly string[]): Promise<string | null> {
    if (name.includes('/')) throw new Error(`executable name ${JSON.stringify(name)} must not contain a slash`);
    for (const dir of searchPath) {
      const candidate = join(dir, name);
      try {
        if (!(await stat(candidate)).isFile()) continue;
        await access(candidate, constants.X_OK);
        return candidate;
      } catch {
        continue;
      }
    }
    return null;
  }

  spawn(command: string, args: readonly string[], request: SpawnRequest): ChildProcess {
    return spawn(command, args, {
      cwd: request.cwd,
      env: request.env,
      uid: request.uid,
      gid: request.gid,
      // setsid(): own session and process group, so the watchdog can signal the script and everything it started at once.
      detached: true,
      // 'ignore' is /dev/null: a script waiting for input gets end-of-file, never the agent's stdin.
      stdio: ['ignore', request.output?.stdout ?? 'pipe', request.output?.stderr ?? 'pipe'],
      shell: false,
      windowsHide: true,
    });
  }

  killGroup(pid: number, signal: NodeJS.Signals): void {
    try {
      process.kill(-pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }

  currentUid(): number {
    return process.getuid?.() ?? -1;
  }
}
