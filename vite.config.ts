// Builds the renderer (src/renderer) into dist/renderer for Electron (file://) and the browser bridge alike.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'src/renderer',
  // Relative asset URLs so the same build loads from file:// in Electron and from the bridge's origin.
  base: './',
  plugins: [react()],
  build: {
    outDir: '../../dist/renderer',
    emptyOutDir: true,
    // Chromium supports modulepreload natively; the polyfill would only add code the CSP has to allow.
    modulePreload: { polyfill: false },
  },
});
