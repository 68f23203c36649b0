// Builds the renderer (src/renderer) into dist/renderer for Electron (file://) and the browser bridge alike.
import { parse } from '@formatjs/icu-messageformat-parser';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { de } from './src/renderer/i18n/messages.de.ts';
import { en } from './src/renderer/i18n/messages.en.ts';

const CATALOGS: Record<string, { name: string; messages: Record<string, string> }> = {
  'messages.en.ts': { name: 'en', messages: en },
  'messages.de.ts': { name: 'de', messages: de },
};

/**
 * Ships the message catalogs parsed: each ICU message as the syntax tree react-intl would build from it at run time
 * (FormatJS's "pre-compile" advice), so the page neither carries the ICU parser (about 27 kB minified) nor parses a
 * message on first use. The parser below is aliased away; a message left as text would fail loudly on first use.
 */
function precompiledMessages(): Plugin {
  return {
    name: 'atwork-precompiled-messages',
    transform(_code, id) {
      const catalog = /\/src\/renderer\/i18n\/(messages\.\w+\.ts)$/.exec(id)?.[1];
      const found = catalog === undefined ? undefined : CATALOGS[catalog];
      if (found === undefined) return null;
      const parsed = Object.fromEntries(Object.entries(found.messages).map(([key, message]) => [key, parse(message)]));
      return { code: `export const ${found.name} = ${JSON.stringify(parsed)};\n`, map: null };
    },
  };
}

export default defineConfig({
  root: 'src/renderer',
  // Relative asset URLs so the same build loads from file:// in Electron and from the bridge's origin.
  base: './',
  plugins: [precompiledMessages(), react()],
  resolve: {
    alias: [{ find: /^@formatjs\/icu-messageformat-parser$/, replacement: '@formatjs/icu-messageformat-parser/no-parser.js' }],
  },
  build: {
    outDir: '../../dist/renderer',
    emptyOutDir: true,
    // Chromium supports modulepreload natively; the polyfill would only add code the CSP has to allow.
    modulePreload: { polyfill: false },
  },
});
