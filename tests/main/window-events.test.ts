// Every window denies pop-ups, stays on the app's origin, and hands only https links to the system browser.
import { describe, expect, it } from 'vitest';
import { APP_START_URL } from '../../src/main/app-origin';
import { handleCommonWindowEvents } from '../../src/main/window-events';
import { FakeWebContents } from './fake-web-contents';

function setUp(): { contents: FakeWebContents; opened: string[] } {
  const contents = new FakeWebContents(1);
  const opened: string[] = [];
  handleCommonWindowEvents(contents.asWebContents(), async (url) => {
    opened.push(url);
  });
  return { contents, opened };
}

describe('handleCommonWindowEvents', () => {
  it.each([
    ['https://support.example.com/', ['https://support.example.com/']],
    ['http://support.example.com/', []],
    ['https://user@evil.example/', []],
    ['file:///etc/passwd', []],
    ['javascript:alert(1)', []],
    [APP_START_URL, []],
  ])('denies window.open(%s) and opens externally only %j', (url, expectedOpened) => {
    const { contents, opened } = setUp();
    expect(contents.windowOpenHandler?.({ url })).toEqual({ action: 'deny' });
    expect(opened).toEqual(expectedOpened);
  });

  it('lets the window navigate within the app', () => {
    const { contents, opened } = setUp();
    expect(contents.navigate('will-navigate', `${APP_START_URL}index.html#/catalog`)).toBe(false);
    expect(opened).toEqual([]);
  });

  it.each([
    ['https://evil.com/?atwork-app://app/', ['https://evil.com/?atwork-app://app/']],
    ['atwork-app://app.evil/', []],
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
    expect(contents.navigate('will-redirect', 'atwork-app://evil/')).toBe(true);
    expect(contents.navigate('will-redirect', APP_START_URL)).toBe(false);
    expect(opened).toEqual([]);
  });

  it('swallows a system browser that fails to open', async () => {
    const contents = new FakeWebContents(1);
    let asked = 0;
    handleCommonWindowEvents(contents.asWebContents(), async () => {
      asked += 1;
      throw new Error('no browser');
    });
    expect(contents.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    await Promise.resolve();
    expect(asked).toBe(1);
  });

  it('refuses to attach a webview', () => {
    const { contents } = setUp();
    let prevented = false;
    contents.emit('will-attach-webview', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
  });
});
