// Pure window settings: the webPreferences every Atwork window gets and which URLs a window may navigate to.
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

/**
 * Whether a window showing appUrl may navigate to url.
 *
 * Parses both and compares what identifies the app: for a file:// app the exact file (the URL parser has already
 * resolved `..`), for an http(s) app (the Vite dev server) the origin. Prefix checks are wrong here: see the table
 * in tests/main/window-options.test.ts.
 */
export function isAllowedNavigation(url: string, appUrl: string): boolean {
  const target = parseUrl(url);
  const app = parseUrl(appUrl);
  if (target === null || app === null || target.username !== '' || target.password !== '') return false;
  if (app.protocol === 'file:') {
    return target.protocol === 'file:' && target.host === '' && app.host === '' && target.pathname === app.pathname;
  }
  if (app.protocol !== 'http:' && app.protocol !== 'https:') return false;
  return target.protocol === app.protocol && target.origin === app.origin;
}

/** The normalised URL when it may be handed to the system browser (https only, no credentials), else null. */
export function externalLinkUrl(url: string): string | null {
  const target = parseUrl(url);
  if (target === null || target.protocol !== 'https:' || target.username !== '' || target.password !== '') return null;
  return target.toString();
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}
