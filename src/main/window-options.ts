// Pure window settings: the webPreferences every Atwork window gets (its navigation rules are in navigation-rules.ts).
import path from 'node:path';
import type { WebPreferences } from 'electron';

/**
 * The webPreferences of every Atwork window.
 *
 * The renderer shows data from a server and output of scripts that ran as root; it must never reach Node.
 */
export function buildWebPreferences(preloadPath: string): WebPreferences {
  if (!path.isAbsolute(preloadPath)) throw new Error(`The preload path must be absolute, got ${preloadPath}.`);
  return {
    preload: preloadPath,
    // ---- Security-sensitive: do not change without a security review (STYLE.md "Do not copy"). ----
    // The page gets only what the preload hands to contextBridge, in its own JS world, in a sandboxed process.
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    // Same-origin policy and mixed-content blocking stay on; there is no `remote` module (removed in Electron 14).
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    // ---- End of security-sensitive settings. ----
    spellcheck: false,
  };
}
