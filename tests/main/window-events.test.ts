// Every window denies pop-ups, stays on the app, and hands only https links to the system browser.
import { describe, expect, it } from 'vitest';
import { handleCommonWindowEvents } from '../../src/main/window-events';
import { FakeWebContents } from './fake-web-contents';

const appUrl = 'file:///Applications/Atwork.app/Contents/Resources/app/dist/renderer/index.html';

function setUp(): { contents: FakeWebContents; opened: string[] } {
  const contents = new FakeWebContents(1);
  const opened: string[] = [];
  handleCommonWindowEvents(contents.asWebContents(), {
    appUrl,
    openExternal: async (url) => {
      opened.push(url);
    },
  });
  return { contents, opened };
}

describe('handleCommonWindowEvents', () => {
  it.each([
    ['https://support.example.com/', ['https://support.example.com/']],
    ['http://support.example.com/', []],
    ['file:///etc/passwd', []],
    ['javascript:alert(1)', []],
    [appUrl, []],
  ])('denies window.open(%s) and opens externally only %j', (url, expectedOpened) => {
    const { contents, opened } = setUp();
    expect(contents.windowOpenHandler?.({ url })).toEqual({ action: 'deny' });
    expect(opened).toEqual(expectedOpened);
  });

  it('lets the window navigate within the app', () => {
    const { contents, opened } = setUp();
    expect(contents.navigate('will-navigate', `${appUrl}#runs`)).toBe(false);
    expect(opened).toEqual([]);
  });

  it.each([
    ['https://evil.com/?file:///', ['https://evil.com/?file:///']],
    ['file:///etc/passwd', []],
    ['javascript:alert(1)', []],
    ['http://example.com/', []],
  ])('blocks navigation to %s and opens externally only %j', (url, expectedOpened) => {
    const { contents, opened } = setUp();
    expect(contents.navigate('will-navigate', url)).toBe(true);
    expect(opened).toEqual(expectedOpened);
  });

  it('blocks redirects away from the app without opening anything', () => {
    const { contents, opened } = setUp();
    expect(contents.navigate('will-redirect', 'https://evil.com/')).toBe(true);
    expect(contents.navigate('will-redirect', appUrl)).toBe(false);
    expect(opened).toEqual([]);
  });

  it('refuses to attach a webview', () => {
    const { contents } = setUp();
    let prevented = false;
    contents.emit('will-attach-webview', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
  });
});
