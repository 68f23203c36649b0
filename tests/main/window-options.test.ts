// Window settings as plain data (the navigation rules: navigation-rules.test.ts).
import { describe, expect, it } from 'vitest';
import { buildWebPreferences } from '../../src/main/window-options';

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
