// Window settings as plain data, and the navigation rule as a table of honest and tricky URLs.
import { describe, expect, it } from 'vitest';
import { buildWebPreferences, externalLinkUrl, isAllowedNavigation } from '../../src/main/window-options';

describe('buildWebPreferences', () => {
  const prefs = buildWebPreferences('/Applications/Atwork.app/Contents/Resources/app/dist/preload/index.cjs');

  it('isolates and sandboxes the renderer with no Node access', () => {
    expect(prefs).toMatchObject({
      preload: '/Applications/Atwork.app/Contents/Resources/app/dist/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
    });
    expect(prefs).not.toHaveProperty('enableRemoteModule');
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
  });

  it('refuses a relative preload path', () => {
    expect(() => buildWebPreferences('dist/preload/index.cjs')).toThrow('must be absolute');
  });
});

describe('isAllowedNavigation', () => {
  const fileApp = 'file:///Applications/Atwork.app/Contents/Resources/app/dist/renderer/index.html';
  const devApp = 'http://127.0.0.1:5173/';

  it.each([
    [fileApp, fileApp, true],
    [`${fileApp}#token=x`, fileApp, true],
    [`${fileApp}?view=runs`, fileApp, true],
    ['file:///etc/passwd', fileApp, false],
    ['file:///Applications/Atwork.app/Contents/Resources/app/dist/renderer/other.html', fileApp, false],
    [`${fileApp}/../../../../../../etc/passwd`, fileApp, false],
    ['file:///Applications/Atwork.app/Contents/Resources/app/dist/renderer/%2e%2e/index.html', fileApp, false],
    ['file://evil.example/Applications/Atwork.app/Contents/Resources/app/dist/renderer/index.html', fileApp, false],
    [`https://evil.com/?${fileApp}`, fileApp, false],
    ['https://evil.com/?file:///', fileApp, false],
    ['javascript:alert(1)', fileApp, false],
    [`javascript:location='${fileApp}'`, fileApp, false],
    ['data:text/html,<script>alert(1)</script>', fileApp, false],
    ['about:blank', fileApp, false],
    ['not a url', fileApp, false],
    ['', fileApp, false],
    ['http://127.0.0.1:5173/', devApp, true],
    ['http://127.0.0.1:5173/index.html#token=x', devApp, true],
    ['http://127.0.0.1:5174/', devApp, false],
    ['https://127.0.0.1:5173/', devApp, false],
    ['http://localhost:5173/', devApp, false],
    ['http://127.0.0.1:5173.evil.com/', devApp, false],
    ['http://127.0.0.1:5173@evil.com/', devApp, false],
    ['http://user:pass@127.0.0.1:5173/', devApp, false],
    ['https://evil.com/?http://127.0.0.1:5173/', devApp, false],
    ['file:///etc/passwd', devApp, false],
    [fileApp, 'javascript:void(0)', false],
    [fileApp, 'not a url', false],
  ])('%s from %s -> %s', (url, appUrl, allowed) => {
    expect(isAllowedNavigation(url, appUrl)).toBe(allowed);
  });
});

describe('externalLinkUrl', () => {
  it.each([
    ['https://support.example.com/atwork', 'https://support.example.com/atwork'],
    ['HTTPS://Example.COM/a b', 'https://example.com/a%20b'],
    ['http://example.com/', null],
    ['file:///etc/passwd', null],
    ['javascript:alert(1)', null],
    ['smb://server/share', null],
    ['https://user:pass@example.com/', null],
    ['not a url', null],
  ])('%s -> %s', (url, expected) => {
    expect(externalLinkUrl(url)).toBe(expected);
  });
});
