// Before a test run: make sure the Debian tools it needs are there (Chromium for the e2e tests, shellcheck for the
// packaging tests), installing them when we can (root on Debian), never skipping silently.
// Usage: node --import tsx scripts/ensure-test-tools.ts chromium|shellcheck ...
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Each tool: the file that shows it is there, its Debian package, and what needs it. */
const TOOLS: Record<string, { path: string; aptPackage: string; neededBy: string; override?: string }> = {
  chromium: { path: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', aptPackage: 'chromium', neededBy: 'The end-to-end tests', override: ' or set CHROMIUM_PATH' },
  shellcheck: { path: '/usr/bin/shellcheck', aptPackage: 'shellcheck', neededBy: 'The packaging tests (build/uninstall.sh, the PKG scripts)' },
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in TOOLS));
if (wanted.length === 0 || unknown.length > 0) {
  console.error(`Name the tools to check, of ${Object.keys(TOOLS).join(', ')}${unknown.length > 0 ? `; not known: ${unknown.join(', ')}` : ''}.`);
  process.exit(2);
}

const missing = wanted.map((name) => TOOLS[name]!).filter((tool) => !existsSync(tool.path));
if (missing.length > 0) {
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) {
    for (const tool of missing) console.error(`${tool.neededBy} need ${tool.path}: install it (on Debian: sudo apt-get install ${tool.aptPackage})${tool.override ?? ''}.`);
    process.exit(1);
  }
  const packages = missing.map((tool) => tool.aptPackage);
  console.log(`Installing ${packages.join(', ')} from Debian for the tests...`);
  const apt = { stdio: 'inherit' as const, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
  execFileSync('apt-get', ['update', '-qq'], apt);
  execFileSync('apt-get', ['install', '-y', '-qq', ...packages], apt);
}
