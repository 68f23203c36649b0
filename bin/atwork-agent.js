#!/usr/bin/env node
// Command-line entry of the Atwork agent: loads the TypeScript sources through tsx and hands over to src/agent/cli.ts.
import { register } from 'tsx/esm/api';

register();
await import('../src/agent/cli.ts');
