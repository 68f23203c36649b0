// `npm run build`: bundles the agent and server CLIs and the `npm start` script into dist/ with esbuild (issue 10, item 9).
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The bundles, by output name under dist/. Code that finds package files looks up the nearest package.json (src/agent/runner/node-spawner.ts). */
const ENTRY_POINTS = {
  'agent/cli': 'src/agent/cli/cli.ts',
  'server/cli': 'src/server/app/cli.ts',
  'scripts/start': 'scripts/start.ts',
};
const OUTPUT_FOLDERS = ['agent', 'server', 'scripts', 'chunks'];

/**
 * Loaded from node_modules at run time, never bundled.
 *
 * better-sqlite3 loads its native addon through `bindings`, sharp (the catalog's image checks) its libvips build for
 * the platform; pg-native is pg's optional native driver, not installed; vite and electron are only imported by
 * `npm start` to build and run the Electron app, which a development machine has.
 */
const EXTERNAL = ['better-sqlite3', 'sharp', 'pg-native', 'vite', 'electron'];

// The CommonJS packages bundled into an ES module (fastify, pino, pg) still call require() for Node's built-ins.
const BANNER = "import { createRequire as __atworkCreateRequire } from 'node:module';\nconst require = __atworkCreateRequire(import.meta.url);";

/** Builds dist/agent/cli.js, dist/server/cli.js, dist/scripts/start.js and their chunks in place of the previous build. */
async function buildNode() {
  const removePrevious = () => Promise.all(OUTPUT_FOLDERS.map((folder) => rm(path.join(root, 'dist', folder), { recursive: true, force: true })));
  let outputFiles;
  try {
    // Built in memory first, so the previous build stays in place while this one compiles: a test run next to this one keeps its CLIs.
    ({ outputFiles } = await build({
      absWorkingDir: root,
      entryPoints: ENTRY_POINTS,
      outdir: 'dist',
      chunkNames: 'chunks/[name]-[hash]',
      bundle: true,
      // Commands import their modules when they run; shared code goes into chunks instead of into every entry.
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20.19',
      sourcemap: true,
      // Stack traces need only the mappings; the sources' text would double each map and the memory Node keeps it in.
      sourcesContent: false,
      // V8 keeps every loaded chunk's source text; without comments and indentation it is a third smaller, and one em
      // dash in a comment no longer makes zod's chunk two bytes a character (idle agent's live heap 16.3 → 14.5 MiB).
      // Names stay, and stack traces point into the TypeScript sources through the maps as before.
      minifyWhitespace: true,
      external: EXTERNAL,
      banner: { js: BANNER },
      logLevel: 'warning',
      write: false,
    }));
  } catch (error) {
    // A failed build leaves no build at all, never the previous one to be run as if it were current.
    await removePrevious();
    throw error;
  }
  // Also removes a chunk of an earlier build that no entry imports any more.
  await removePrevious();
  await Promise.all([...new Set(outputFiles.map((file) => path.dirname(file.path)))].map((dir) => mkdir(dir, { recursive: true })));
  await Promise.all(outputFiles.map((file) => writeFile(file.path, file.contents)));
}

await buildNode();
