// The atwork-agent command line, run as a real process through its bin shim.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from './agent-test-kit';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../bin/atwork-agent.js');

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('atwork-agent', () => {
  it('prints the status of a device that is not enrolled as JSON, from ATWORK_STATE_DIR', async () => {
    const dir = await tempDir();
    const { code, stdout } = await cli(['status'], { ATWORK_STATE_DIR: join(dir, 'agent') });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ enrolled: false, deviceId: null, recentRuns: [] });
  });

  it('fails with one clear sentence when enrollment cannot work', async () => {
    const dir = await tempDir();
    const { code, stderr } = await cli(['enroll', '--server', 'http://mdm.example.com', '--user', 'alice', '--pin', '1234', '--state-dir', dir]);
    expect(code).toBe(1);
    expect(stderr).toBe('atwork-agent: server URL http://mdm.example.com must use https (plain http is allowed only to localhost)\n');
  });

  it('will not run the loop before enrollment', async () => {
    const dir = await tempDir();
    const { code, stderr } = await cli(['run', '--state-dir', dir]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/not enrolled; run `atwork-agent enroll` first/);
  });
});
