// Shared by the bin/ launchers: loads a built entry point with source maps on, or says how to build it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Imports the bundle at `entry`; stack traces name the TypeScript sources through its source map. */
export async function runBuilt(command, entry) {
  if (!existsSync(fileURLToPath(entry))) {
    process.stderr.write(`${command}: ${fileURLToPath(entry)} is missing; run \`npm run build\` first.\n`);
    process.exit(1);
  }
  process.setSourceMapsEnabled(true);
  await import(entry.href);
}
