// The app's own origin, atwork-app://app: where the UI is served from, and the one comparison every rule uses.

/** The privileged scheme the UI is served on (app-protocol.ts); never file://, which any local file shares. */
export const APP_SCHEME = 'atwork-app';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The page every window loads. */
export const APP_START_URL = `${APP_ORIGIN}/`;

/**
 * Whether url is on the app's origin: parsed, then its scheme and host compared exactly, never by prefix.
 *
 * Node gives a custom scheme the opaque origin "null" (as it does data: and about:blank), so URL.origin cannot be
 * compared here; Chromium canonicalises the URLs it hands us (lower-case host), so an exact host is no loss.
 * A URL with credentials or a port is not the app, whatever its host.
 */
export function isAppUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
}
