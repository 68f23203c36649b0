// Vitest global setup: builds dist/ as `npm run build` does, so tests that spawn bin/ run today's bundles, never a stale or missing one.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const BUILD_SCRIPT = path.resolve(import.meta.dirname, '../../scripts/build-node.mjs');

export default async function setup(): Promise<void> {
  try {
    await promisify(execFile)(process.execPath, [BUILD_SCRIPT]);
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    // Stops the run: every CLI test would otherwise fail on its own, or pass on the previous build.
    throw new Error(`npm run build failed, so the CLI tests cannot run the built bin/ entries:\n${stderr ?? String(error)}`);
  }
}
