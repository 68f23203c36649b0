// Shared pieces of the script runner tests: a runner on real processes, requests, a spawner with replaceable methods.
import { randomUUID } from 'node:crypto';
import { NodeSpawner } from '../../src/agent/runner/node-spawner';
import type { Spawner } from '../../src/agent/core/ports';
import { ScriptRunner, type ScriptRunRequest, type ScriptRunnerOptions } from '../../src/agent/runner/script-runner';
import { systemClock } from '../../src/agent/service/system-clock';
import { recordingLogger, tempDir } from './agent-test-kit';

export { liveSessionMembers } from '../../scripts/process-groups';

/** A runner over real processes with its working folders under a per-test temp folder. */
export async function realRunner(overrides: Partial<ScriptRunnerOptions> = {}): Promise<{ runner: ScriptRunner; tempRoot: string }> {
  const tempRoot = await tempDir();
  const options: ScriptRunnerOptions = { spawner: new NodeSpawner(), clock: systemClock, logger: recordingLogger(), tempRoot, ...overrides };
  return { runner: new ScriptRunner(options), tempRoot };
}

export function runRequest(script: string | Buffer, overrides: Partial<ScriptRunRequest> = {}): ScriptRunRequest {
  return {
    executionId: randomUUID(),
    deviceId: 'device-1',
    interpreter: 'bash',
    script: Buffer.isBuffer(script) ? script : Buffer.from(script),
    variables: {},
    runAsRoot: false,
    maxRunTimeSeconds: 30,
    maxResponseSizeKb: 1,
    ...overrides,
  };
}

/** The real spawner as a plain object, so a test can replace one of its methods. */
export function spawnerWith(overrides: Partial<Spawner>): Spawner {
  const real = new NodeSpawner();
  return {
    findExecutable: real.findExecutable.bind(real),
    spawn: real.spawn.bind(real),
    runHelper: real.runHelper.bind(real),
    signal: real.signal.bind(real),
    signalGroup: real.signalGroup.bind(real),
    processes: real.processes,
    containmentGap: real.containmentGap,
    currentUid: real.currentUid.bind(real),
    ...overrides,
  };
}
