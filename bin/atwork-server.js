#!/usr/bin/env node
// Launcher of the reference server: runs the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/server/cli.ts');
