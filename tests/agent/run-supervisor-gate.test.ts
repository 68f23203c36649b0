// The run supervisor starts the script only once the agent has recorded the run: its start gate (fd 4) (issue 9).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NodeSpawner } from '../../src/agent/runner/node-spawner';
import { tempDir } from './agent-test-kit';

const SUPERVISOR = fileURLToPath(new URL('../../dist/native/run-supervisor', import.meta.url));
const built = process.platform === 'linux' && existsSync(SUPERVISOR);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.runIf(built)('the run supervisor start gate', () => {
  it('runs nothing until begin(), then the script', async () => {
    const dir = await tempDir();
    const marker = join(dir, 'ran');
    const spawner = new NodeSpawner();
    const run = spawner.spawn('/bin/sh', ['-c', `touch ${marker}`], { cwd: dir, env: { PATH: '/usr/bin:/bin' }, output: { stdout: 'ignore', stderr: 'ignore' } as never });
    await pause(300);
    expect(existsSync(marker)).toBe(false);
    run.begin();
    expect(await run.ended).toEqual({ exit: { code: 0, signal: null } });
    await run.gone;
    expect(existsSync(marker)).toBe(true);
  });

  it('starts nothing when the agent dies before it opened the gate (end of file on fd 4)', async () => {
    const dir = await tempDir();
    const marker = join(dir, 'ran');
    const child = spawn(SUPERVISOR, ['-1', '-1', '/bin/sh', '-c', `touch ${marker}`], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
    (child.stdio[4] as NodeJS.WritableStream).end();
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(126);
    await pause(100);
    expect(existsSync(marker)).toBe(false);
  });
});
