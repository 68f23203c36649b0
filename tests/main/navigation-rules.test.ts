// The navigation rules as a table of honest and tricky URLs: what stays in the window, what opens outside, what is refused.
import { describe, expect, it } from 'vitest';
import { APP_ORIGIN, APP_START_URL, isAppUrl } from '../../src/main/app-origin';
import { decideNavigation, externalLinkUrl } from '../../src/main/navigation-rules';

describe('the app origin', () => {
  it('is the privileged scheme with its one host, and every window starts on it', () => {
    expect(APP_ORIGIN).toBe('atwork-app://app');
    expect(APP_START_URL).toBe('atwork-app://app/');
    expect(isAppUrl(APP_START_URL)).toBe(true);
  });
});

// [url, may the window navigate there, what opens in the system browser]
const NAVIGATIONS: [string, boolean, string | null][] = [
  ['atwork-app://app/', true, null],
  ['atwork-app://app/index.html', true, null],
  ['atwork-app://app/index.html#/catalog', true, null],
  ['atwork-app://app/assets/index.js?v=2', true, null],
  ['ATWORK-APP://app/', true, null],
  ['atwork-app://app/a/../index.html', true, null],
  // Look-alikes of the app origin: a prefix, a user part, a port, another host, no host.
  ['atwork-app://app.evil/', false, null],
  ['atwork-app://app.evil.example/index.html', false, null],
  ['atwork-app://evil/', false, null],
  ['atwork-app://app@evil/', false, null],
  ['atwork-app://user:pass@app/', false, null],
  ['atwork-app://app:8080/', false, null],
  ['atwork-app:app/index.html', false, null],
  ['atwork-app:///app/index.html', false, null],
  ['atwork-apps://app/', false, null],
  ['https://evil.com/?atwork-app://app/', false, 'https://evil.com/?atwork-app://app/'],
  // The web: https opens outside, nothing else does.
  ['https://example.com', false, 'https://example.com/'],
  ['https://support.example.com/atwork', false, 'https://support.example.com/atwork'],
  ['HTTPS://Example.COM/a b', false, 'https://example.com/a%20b'],
  ['https://user@evil.example/', false, null],
  ['https://user:pass@example.com/', false, null],
  ['https:evil.example', false, 'https://evil.example/'],
  ['http://example.com/', false, null],
  ['http://127.0.0.1:5173/', false, null],
  ['ftp://example.com/', false, null],
  ['smb://server/share', false, null],
  // Local and script URLs: never.
  ['file:///etc/passwd', false, null],
  ['file:///Applications/Atwork.app/Contents/Resources/app/dist/renderer/index.html', false, null],
  ['javascript:alert(1)', false, null],
  ["javascript:location='atwork-app://app/'", false, null],
  ['data:text/html,<script>alert(1)</script>', false, null],
  ['blob:atwork-app://app/6a2d0d1f-8a5e-4d6c-9f4f-2c1a2b3c4d5e', false, null],
  ['about:blank', false, null],
  ['chrome://settings', false, null],
  ['devtools://devtools/bundled/inspector.html', false, null],
  ['not a url', false, null],
  ['', false, null],
];

describe('decideNavigation', () => {
  it.each(NAVIGATIONS)('%s: stays %s, opens outside %s', (url, allow, openExternally) => {
    expect(decideNavigation(url)).toEqual({ allow, openExternally });
  });
});

describe('isAppUrl', () => {
  it.each(NAVIGATIONS)('%s -> %s', (url, allow) => {
    expect(isAppUrl(url)).toBe(allow);
  });
});

describe('externalLinkUrl', () => {
  it.each(NAVIGATIONS.filter(([url]) => !isAppUrl(url)))('%s -> %s', (url, _allow, openExternally) => {
    expect(externalLinkUrl(url)).toBe(openExternally);
  });

  it('never hands the app itself to the system browser', () => {
    expect(externalLinkUrl(APP_START_URL)).toBeNull();
  });
});
