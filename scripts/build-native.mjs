// `npm ci` postinstall: compiles native/run-supervisor.c into dist/native/ with the system C compiler (Linux only, issue 9).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'native', 'run-supervisor.c');
const output = join(root, 'dist', 'native', 'run-supervisor');

// Only Linux has a child subreaper; elsewhere the runner contains a run by its session and says so in its log.
if (process.platform === 'linux') {
  const compiler = process.env.CC || 'cc';
  mkdirSync(dirname(output), { recursive: true });
  const built = spawnSync(compiler, ['-O2', '-Wall', '-Wextra', '-Werror', '-o', output, source], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (built.error !== undefined || built.status !== 0) {
    // Never fails the install: the runner falls back to session containment and logs a warning at each run.
    process.stdout.write(`atwork: could not build the run supervisor with ${compiler} (${built.error?.message ?? `exit ${built.status}`}); scripts will be contained by session only\n`);
  }
}
