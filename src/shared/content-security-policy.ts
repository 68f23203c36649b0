// The CSP of the UI in both of its hosts (the app's scheme in Electron, the browser bridge): a pure function of the enrolled server's origin.

/** What a server origin may look like in a CSP: scheme, an ASCII host (or a bracketed IPv6 address), a port. */
const CSP_SAFE_ORIGIN = /^https?:\/\/(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;

/**
 * The origin of the enrolled server, as a CSP source, or null when there is none or it cannot be written safely.
 *
 * URL.origin alone is not enough: `https://a;b/` parses, and its origin would end the img-src directive and start
 * another. Only http(s) origins of plain hostnames and IP addresses pass.
 */
export function serverImageSource(serverUrl: string | null): string | null {
  if (serverUrl === null) return null;
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    return null;
  }
  return CSP_SAFE_ORIGIN.test(url.origin) ? url.origin : null;
}

/**
 * The policy: the app's own scripts, styles and connections only; images also from the enrolled server (app icons and
 * screenshots); no plug-ins, no <base>, no frames, no form posts, and no page may frame the app.
 *
 * serverOrigin is what serverImageSource returned: before enrollment, images are the app's own only.
 */
export function contentSecurityPolicy(serverOrigin: string | null): string {
  if (serverOrigin !== null && !CSP_SAFE_ORIGIN.test(serverOrigin)) throw new Error(`Not an origin a CSP may name: ${serverOrigin}`);
  const directives = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    serverOrigin === null ? "img-src 'self'" : `img-src 'self' ${serverOrigin}`,
    "connect-src 'self'",
    "object-src 'none'",
    "frame-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ];
  return directives.join('; ');
}
