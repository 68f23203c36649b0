// Lint, including the layering of DESIGN.md §1 as errors: which folder may import which.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';
import globals from 'globals';

const layer = (files, patterns, { ignores = [], paths = [] } = {}) => ({
  files,
  ignores,
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns, paths }] },
});
const noElectron = { group: ['electron', 'electron/*'], message: 'Only src/main and src/preload may import electron (DESIGN.md §1).' };
const folder = (name, why) => ({ group: [`**/${name}`, `**/${name}/*`], message: why });

// src/shared is pure TypeScript, loaded by the renderer too, except src/shared/node/, whose modules need Node (DESIGN.md §1).
const sharedNodeFiles = ['src/shared/node/**'];
const noNode = {
  group: ['node:*', ...builtinModules],
  message: 'A pure shared module may not need Node: put it in src/shared/node/, which the renderer cannot use.',
};
const noSharedNode = (why) => ({ group: ['**/shared/node/*', './node/*'], message: why });
const sharedLayer = [noElectron, ...['agent', 'server', 'main', 'preload', 'renderer'].map((name) => folder(name, 'shared imports no other folder.'))];

// GitHub Desktop's rule: the typed wrappers (src/main/ipc-main.ts, src/preload/index.ts) are the only path to raw IPC.
const rawIpc = (allowed) => ({
  name: 'electron',
  importNames: ['ipcMain', 'ipcRenderer'],
  message: `Use the typed contract (src/shared/agent-service-contract.ts); only ${allowed} touches raw IPC.`,
});
// Inside the agent: the core (ports, state shapes) is the bottom; trust and the runner stand on it alone, so what
// verifies a ticket and what runs a script as root can be read, tested and audited without the rest of the agent.
const agentFolderOtherThan = (allowed, message) => ({ regex: `^\\.\\./(?!\\.\\./${allowed.map((name) => `|${name}/`).join('')})`, message });
const agentLayer = [noElectron, folder('server', 'The agent never imports the server.'), folder('main', 'The agent core never imports the Electron layer.'), folder('preload', 'The agent core never imports the Electron layer.'), folder('renderer', 'The agent core never imports the UI.')];
const mainLayer = [folder('server', 'The app never imports the server.'), folder('renderer', 'main does not import the UI.')];
const preloadLayer = ['agent', 'server', 'main', 'renderer'].map((name) => folder(name, 'The preload exposes IPC only.'));

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'test-results/', 'playwright-report/', '.atwork/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  { files: ['src/renderer/**'], languageOptions: { globals: { ...globals.browser } } },
  layer(['src/shared/**'], [...sharedLayer, noNode, noSharedNode('A pure shared module may not import one that needs Node.')], { ignores: sharedNodeFiles }),
  layer(sharedNodeFiles, sharedLayer),
  layer(['src/agent/**'], agentLayer),
  layer(['src/agent/core/**'], [...agentLayer, agentFolderOtherThan([], 'The agent core imports nothing else of the agent.')]),
  layer(['src/agent/trust/**'], [...agentLayer, agentFolderOtherThan(['core'], 'Trust imports only the agent core: it verifies, it never acts.')]),
  layer(['src/agent/runner/**'], [...agentLayer, agentFolderOtherThan(['core'], 'The runner imports only the agent core: it runs what it is given.')]),
  layer(['src/server/**'], [noElectron, folder('agent', 'The server never imports the agent.'), folder('main', 'The server never imports the app.'), folder('preload', 'The server never imports the app.'), folder('renderer', 'The server never imports the UI.')]),
  layer(['src/renderer/**'], [noElectron, folder('agent', 'The renderer talks only to the AgentApi.'), folder('server', 'The renderer talks only to the AgentApi.'), folder('main', 'The renderer talks only to the AgentApi.'), { regex: '/preload/(?!contract$)', message: 'The renderer may use only preload/contract types.' }, { group: ['**/preload/contract'], allowTypeImports: true, message: 'The renderer imports only types from preload/contract.' }, { ...noSharedNode('The renderer runs in a browser: it may import only the pure shared modules.'), allowTypeImports: true }]),
  layer(['src/main/**'], mainLayer, { ignores: ['src/main/ipc-main.ts'], paths: [rawIpc('src/main/ipc-main.ts')] }),
  layer(['src/main/ipc-main.ts'], mainLayer),
  layer(['src/preload/**'], preloadLayer, { ignores: ['src/preload/index.ts'], paths: [rawIpc('src/preload/index.ts')] }),
  layer(['src/preload/index.ts'], preloadLayer),
);
