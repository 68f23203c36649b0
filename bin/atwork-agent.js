#!/usr/bin/env node
// Command-line entry of the Atwork agent: runs the bundle that `npm run build` writes to dist/agent/cli.js.
import { runBuilt } from './run-built.js';

await runBuilt('atwork-agent', new URL('../dist/agent/cli.js', import.meta.url));
