#!/usr/bin/env node
// Launcher of the reference server: runs the bundle that `npm run build` writes to dist/server/cli.js.
import { runBuilt } from './run-built.js';

await runBuilt('atwork-server', new URL('../dist/server/cli.js', import.meta.url));
