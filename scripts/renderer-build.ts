// Builds the renderer with Vite when its output is missing or older than its sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest folder up from this file with a package.json: this file sits in scripts/, or in dist/scripts/ once bundled into `npm start`. */
function packageRoot(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
  }
}

const root = packageRoot();
export const RENDERER_DIST = path.join(root, 'dist', 'renderer');
const RENDERER_SRC = path.join(root, 'src', 'renderer');
const INPUTS = [RENDERER_SRC, path.join(root, 'src', 'shared'), path.join(root, 'src', 'preload', 'contract.ts'), path.join(root, 'vite.config.ts')];

function newestMtime(entry: string): number {
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(entry).reduce((newest, name) => Math.max(newest, newestMtime(path.join(entry, name))), stat.mtimeMs);
}

export async function buildRendererIfStale(): Promise<void> {
  const built = path.join(RENDERER_DIST, 'index.html');
  if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...INPUTS.filter(existsSync).map(newestMtime))) return;
  const { build } = await import('vite');
  await build({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
}
