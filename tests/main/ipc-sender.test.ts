// The IPC sender check: only the main frame of one of our windows, on the app's origin, reaches the agent, on every channel.
import { beforeEach, describe, expect, it } from 'vitest';
import { APP_START_URL } from '../../src/main/app-origin';
import { registerHandlers } from '../../src/main/ipc-handlers';
import { isTrustedSender } from '../../src/main/ipc-sender';
import type { IpcSenderEvent, SenderFrame } from '../../src/main/ipc-sender';
import { TrustedWindows } from '../../src/main/trusted-windows';
import { requestChannel } from '../../src/preload/contract';
import { METHOD_NAMES } from '../../src/shared/agent-service-contract';
import { FakeAgentService, SAMPLE_ARGS } from '../support/fake-agent-service';
import { FakeIpcMain, fromMainFrame } from './fake-ipc-main';
import { FakeWebContents, FakeWebFrame } from './fake-web-contents';

let ours: FakeWebContents;
let stranger: FakeWebContents;
let windows: TrustedWindows;

beforeEach(() => {
  ours = new FakeWebContents(7);
  ours.mainFrame.url = APP_START_URL;
  stranger = new FakeWebContents(8);
  stranger.mainFrame.url = APP_START_URL;
  windows = new TrustedWindows();
  windows.track(ours.asWebContents());
});

/** A frame whose URL cannot be read any more, as Electron's WebFrameMain throws once the frame is disposed. */
function disposedFrame(): SenderFrame {
  return {
    parent: null,
    get url(): string {
      throw new Error('Render frame was disposed before WebFrameMain could be accessed');
    },
  };
}

/** Senders that must not reach the agent, each made from our tracked window and a stranger. */
const UNTRUSTED: [string, () => IpcSenderEvent][] = [
  ['an untracked web contents showing the app', () => fromMainFrame(stranger)],
  ['a null senderFrame (navigated or destroyed since)', () => ({ sender: ours, senderFrame: null })],
  ['a subframe on the app origin', () => ({ sender: ours, senderFrame: new FakeWebFrame(APP_START_URL, ours.mainFrame) })],
  ['a main frame on another origin', () => ({ sender: ours, senderFrame: new FakeWebFrame('https://evil.example/') })],
  ['a main frame on about:blank', () => ({ sender: ours, senderFrame: new FakeWebFrame('about:blank') })],
  ['a main frame on a look-alike origin', () => ({ sender: ours, senderFrame: new FakeWebFrame('atwork-app://app.evil/') })],
  ['a main frame on a file: URL', () => ({ sender: ours, senderFrame: new FakeWebFrame('file:///Applications/Atwork.app/index.html') })],
  ['a detached frame', () => ({ sender: ours, senderFrame: Object.assign(new FakeWebFrame(APP_START_URL), { detached: true }) })],
  ['a frame that has been disposed', () => ({ sender: ours, senderFrame: disposedFrame() })],
];

describe('isTrustedSender', () => {
  it('accepts the main frame of a tracked window showing the app', () => {
    expect(windows.isTrustedSender(fromMainFrame(ours))).toBe(true);
  });

  it('accepts a top-level frame of a tracked window even when Electron hands a new wrapper for it', () => {
    expect(windows.isTrustedSender({ sender: ours, senderFrame: new FakeWebFrame(`${APP_START_URL}index.html#/catalog`) })).toBe(true);
  });

  it.each(UNTRUSTED)('refuses %s', (_name, event) => {
    expect(windows.isTrustedSender(event())).toBe(false);
  });

  it('refuses our window once it has navigated away from the app', () => {
    ours.mainFrame.url = 'https://evil.example/';
    expect(windows.isTrustedSender(fromMainFrame(ours))).toBe(false);
  });

  it('refuses our window once it is destroyed', () => {
    ours.destroy();
    expect(windows.isTrustedSender(fromMainFrame(ours))).toBe(false);
  });

  it('looks the sender up by its id and nothing else', () => {
    const seen: number[] = [];
    isTrustedSender(fromMainFrame(ours), (id) => {
      seen.push(id);
      return undefined;
    });
    expect(seen).toEqual([7]);
  });
});

describe.each(METHOD_NAMES)('the IPC channel of %s', (method) => {
  let ipcMain: FakeIpcMain;
  let service: FakeAgentService;

  beforeEach(() => {
    ipcMain = new FakeIpcMain();
    service = new FakeAgentService();
    registerHandlers(ipcMain, service, (event) => windows.isTrustedSender(event));
  });

  it('answers the trusted sender', async () => {
    await ipcMain.invoke(requestChannel(method), fromMainFrame(ours), ...SAMPLE_ARGS[method]);
    expect(service.calls.map((call) => call.method)).toEqual([method]);
  });

  // The sender is checked before the arguments, so a refused call needs none.
  it.each(UNTRUSTED)('refuses %s without calling the service', async (_name, event) => {
    await expect(ipcMain.invoke(requestChannel(method), event())).rejects.toThrow("not the app's page in an Atwork window");
    expect(service.calls).toEqual([]);
  });
});
