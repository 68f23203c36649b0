// Builds the Electron side: `vite build -c vite.electron.config.ts --mode main` (ESM for Node) and `--mode preload` (one CJS file).
import { builtinModules } from 'node:module';
import { defineConfig } from 'vite';

// Resolved at run time from node_modules or Node itself, never bundled.
const external = ['electron', /^electron\//, /^node:/, ...builtinModules];

export default defineConfig(({ mode }) => {
  if (mode === 'preload') {
    // A sandboxed preload can require only 'electron', so contract.ts is bundled into one CommonJS file.
    return {
      build: {
        outDir: 'dist/preload',
        emptyOutDir: true,
        target: 'node20',
        minify: false,
        lib: { entry: 'src/preload/index.ts', formats: ['cjs'], fileName: () => 'index.cjs' },
        rollupOptions: { external },
      },
    };
  }
  if (mode === 'main') {
    return {
      build: {
        outDir: 'dist/main',
        emptyOutDir: true,
        target: 'node20',
        minify: false,
        // SSR mode keeps package dependencies (better-sqlite3, jose, zod...) external for Node to load.
        ssr: 'src/main/index.ts',
        rollupOptions: { external, output: { format: 'es', entryFileNames: 'index.js' } },
      },
    };
  }
  throw new Error(`Build the Electron side with --mode main or --mode preload, not "${mode}".`);
});
