// Lint, including the layering of DESIGN.md §1 as errors: which folder may import which.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const layer = (files, patterns) => ({
  files,
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
});
const noElectron = { group: ['electron', 'electron/*'], message: 'Only src/main and src/preload may import electron (DESIGN.md §1).' };
const folder = (name, why) => ({ group: [`**/${name}`, `**/${name}/*`], message: why });

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
  layer(['src/shared/**'], [noElectron, folder('agent', 'shared imports no other folder.'), folder('server', 'shared imports no other folder.'), folder('main', 'shared imports no other folder.'), folder('preload', 'shared imports no other folder.'), folder('renderer', 'shared imports no other folder.')]),
  layer(['src/agent/**'], [noElectron, folder('server', 'The agent never imports the server.'), folder('main', 'The agent core never imports the Electron layer.'), folder('preload', 'The agent core never imports the Electron layer.'), folder('renderer', 'The agent core never imports the UI.')]),
  layer(['src/server/**'], [noElectron, folder('agent', 'The server never imports the agent.'), folder('main', 'The server never imports the app.'), folder('preload', 'The server never imports the app.'), folder('renderer', 'The server never imports the UI.')]),
  layer(['src/renderer/**'], [noElectron, folder('agent', 'The renderer talks only to the AgentApi.'), folder('server', 'The renderer talks only to the AgentApi.'), folder('main', 'The renderer talks only to the AgentApi.'), { regex: '/preload/(?!contract$)', message: 'The renderer may use only preload/contract types.' }, { group: ['**/preload/contract', '**/shared/*'], allowTypeImports: true, message: 'The renderer imports only types from shared and preload/contract.' }]),
  layer(['src/main/**'], [folder('server', 'The app never imports the server.'), folder('renderer', 'main does not import the UI.')]),
  layer(['src/preload/**'], [folder('agent', 'The preload exposes IPC only.'), folder('server', 'The preload exposes IPC only.'), folder('main', 'The preload exposes IPC only.'), folder('renderer', 'The preload exposes IPC only.')]),
);
