// IPC handlers answer only our windows (every refusal: ipc-sender.test.ts), pass on service results, and events reach our windows only.
import { beforeEach, describe, expect, it } from 'vitest';
import { forwardEvents, registerHandlers } from '../../src/main/ipc-handlers';
import { APP_START_URL } from '../../src/main/app-origin';
import { TrustedWindows } from '../../src/main/trusted-windows';
import { REQUEST_CHANNELS, requestChannel } from '../../src/preload/contract';
import { AGENT_METHODS, METHOD_NAMES } from '../../src/shared/agent-service-contract';
import { FakeAgentService, makeStatus, SAMPLE_ARGS } from '../support/fake-agent-service';
import { FakeIpcMain, fromMainFrame } from './fake-ipc-main';
import { FakeWebContents } from './fake-web-contents';

let ipcMain: FakeIpcMain;
let service: FakeAgentService;
let windows: TrustedWindows;
let ours: FakeWebContents;

beforeEach(() => {
  ipcMain = new FakeIpcMain();
  service = new FakeAgentService();
  windows = new TrustedWindows();
  ours = showingApp(new FakeWebContents(7));
  windows.track(ours.asWebContents());
  registerHandlers(ipcMain, service, (event) => windows.isTrustedSender(event));
});

function showingApp(contents: FakeWebContents): FakeWebContents {
  contents.mainFrame.url = APP_START_URL;
  return contents;
}

/** Invokes a channel as our window's page would. */
function invokeFromOurs(channel: string, ...args: unknown[]): Promise<unknown> {
  return ipcMain.invoke(channel, fromMainFrame(ours), ...args);
}

describe('TrustedWindows', () => {
  it('trusts a tracked window until it is destroyed, and no other', () => {
    const other = showingApp(new FakeWebContents(8));
    expect(windows.isTrustedSender(fromMainFrame(ours))).toBe(true);
    expect(windows.isTrustedSender(fromMainFrame(other))).toBe(false);
    ours.destroy();
    expect(windows.isTrustedSender(fromMainFrame(ours))).toBe(false);
  });
});

describe('registerHandlers', () => {
  it('registers exactly the contract request channels', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...REQUEST_CHANNELS].sort());
  });

  it('returns the service results to our window', async () => {
    service.status = makeStatus({ deviceId: 'dev-ipc' });
    expect(await invokeFromOurs('agent:get-status')).toEqual(makeStatus({ deviceId: 'dev-ipc' }));
    const afterCheckIn = await invokeFromOurs('agent:check-in-now');
    expect(service.checkInCalls).toBe(1);
    expect(afterCheckIn).toMatchObject({ lastCheckinAt: '2026-11-24T10:20:00.000Z' });
  });

  it('refuses a window that has been destroyed', async () => {
    ours.destroy();
    await expect(invokeFromOurs('agent:check-in-now')).rejects.toThrow("not the app's page in an Atwork window");
    expect(service.checkInCalls).toBe(0);
  });

  it('refuses unexpected arguments', async () => {
    await expect(invokeFromOurs('agent:check-in-now', { force: true })).rejects.toThrow('arguments');
    expect(service.checkInCalls).toBe(0);
  });

  it('passes a service failure on to the renderer', async () => {
    service.failure = new Error('the state file is unreadable');
    await expect(invokeFromOurs('agent:get-status')).rejects.toThrow('the state file is unreadable');
  });

  it('removes its handlers when asked', () => {
    const other = new FakeIpcMain();
    const unregister = registerHandlers(other, service, () => true);
    unregister();
    expect(other.handlers.size).toBe(0);
  });
});

describe('every contract method over IPC', () => {
  it.each(METHOD_NAMES)('%s answers a trusted window with what the contract promises', async (method) => {
    const result = await invokeFromOurs(requestChannel(method), ...SAMPLE_ARGS[method]);
    expect(AGENT_METHODS[method].result.safeParse(result).success).toBe(true);
    expect(service.calls).toEqual([{ method, args: SAMPLE_ARGS[method] }]);
  });

  it.each([
    ['no arguments', []],
    ['a missing PIN', [{ serverUrl: 'http://127.0.0.1:4000', username: 'ada' }]],
    ['a PIN with NUL', [{ serverUrl: 'http://127.0.0.1:4000', username: 'ada', pin: '12\u000034' }]],
    ['an extra argument', [...SAMPLE_ARGS.enroll, 'again']],
    ['a number for the server', [{ serverUrl: 4000, username: 'ada', pin: '123456' }]],
  ])('refuses enroll with %s', async (_name, args: unknown[]) => {
    await expect(invokeFromOurs(requestChannel('enroll'), ...args)).rejects.toThrow('arguments');
    expect(service.calls).toEqual([]);
  });

  it('refuses to pass on an answer the contract does not allow', async () => {
    service.status = { ...makeStatus(), enrolled: 'yes' } as unknown as typeof service.status;
    await expect(invokeFromOurs(requestChannel('getStatus'))).rejects.toThrow('contract does not allow');
  });
});

describe('forwardEvents', () => {
  it('sends every status change to our live windows showing the app only', () => {
    const second = showingApp(new FakeWebContents(8));
    const closed = showingApp(new FakeWebContents(9));
    const blank = new FakeWebContents(11);
    windows.track(second.asWebContents());
    windows.track(closed.asWebContents());
    windows.track(blank.asWebContents());
    closed.destroy();
    const stranger = showingApp(new FakeWebContents(10));
    const stop = forwardEvents(service, windows);

    const changed = makeStatus({ deviceId: 'dev-changed' });
    service.emit(changed);
    expect(ours.sent).toEqual([['agent:status-changed', changed]]);
    expect(second.sent).toEqual([['agent:status-changed', changed]]);
    expect(closed.sent).toEqual([]);
    expect(stranger.sent).toEqual([]);
    expect(blank.sent).toEqual([]);

    stop();
    service.emit(makeStatus());
    expect(ours.sent).toHaveLength(1);
  });
});
