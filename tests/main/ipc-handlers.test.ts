// IPC handlers answer only our windows, pass on service results, and status changes reach our windows only.
import { beforeEach, describe, expect, it } from 'vitest';
import { forwardEvents, registerHandlers } from '../../src/main/ipc-handlers';
import { TrustedWindows } from '../../src/main/trusted-windows';
import type { IpcSenderEvent } from '../../src/main/trusted-windows';
import { REQUEST_CHANNELS, requestChannel } from '../../src/preload/contract';
import { AGENT_METHODS, METHOD_NAMES } from '../../src/shared/agent-service-contract';
import { FakeAgentService, makeStatus, SAMPLE_ARGS } from '../support/fake-agent-service';
import { FakeWebContents } from './fake-web-contents';

type Handler = (event: IpcSenderEvent, ...args: unknown[]) => unknown;

/** Records handlers the way ipcMain.handle does, so a test can invoke them as Electron would. */
class FakeIpcMain {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, listener: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  invoke(channel: string, senderId: number, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (!handler) return Promise.reject(new Error(`No handler registered for '${channel}'`));
    return Promise.resolve().then(() => handler({ sender: { id: senderId } }, ...args));
  }
}

let ipcMain: FakeIpcMain;
let service: FakeAgentService;
let windows: TrustedWindows;
let ours: FakeWebContents;

beforeEach(() => {
  ipcMain = new FakeIpcMain();
  service = new FakeAgentService();
  windows = new TrustedWindows();
  ours = new FakeWebContents(7);
  windows.track(ours.asWebContents());
  registerHandlers(ipcMain, service, (event) => windows.isTrustedSender(event));
});

describe('TrustedWindows', () => {
  it('trusts a tracked window until it is destroyed, and no other', () => {
    expect(windows.isTrustedSender({ sender: { id: 7 } })).toBe(true);
    expect(windows.isTrustedSender({ sender: { id: 8 } })).toBe(false);
    ours.destroy();
    expect(windows.isTrustedSender({ sender: { id: 7 } })).toBe(false);
  });
});

describe('registerHandlers', () => {
  it('registers exactly the contract request channels', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...REQUEST_CHANNELS].sort());
  });

  it('returns the service results to our window', async () => {
    service.status = makeStatus({ deviceId: 'dev-ipc' });
    expect(await ipcMain.invoke('agent:get-status', 7)).toEqual(makeStatus({ deviceId: 'dev-ipc' }));
    const afterCheckIn = await ipcMain.invoke('agent:check-in-now', 7);
    expect(service.checkInCalls).toBe(1);
    expect(afterCheckIn).toMatchObject({ lastCheckinAt: '2026-11-24T10:20:00.000Z' });
  });

  it.each(REQUEST_CHANNELS)('refuses %s from an unknown web contents without calling the service', async (channel) => {
    await expect(ipcMain.invoke(channel, 99)).rejects.toThrow('not an Atwork window');
    expect(service.checkInCalls).toBe(0);
  });

  it('refuses a window that has been destroyed', async () => {
    ours.destroy();
    await expect(ipcMain.invoke('agent:check-in-now', 7)).rejects.toThrow('not an Atwork window');
    expect(service.checkInCalls).toBe(0);
  });

  it('refuses unexpected arguments', async () => {
    await expect(ipcMain.invoke('agent:check-in-now', 7, { force: true })).rejects.toThrow('arguments');
    expect(service.checkInCalls).toBe(0);
  });

  it('passes a service failure on to the renderer', async () => {
    service.failure = new Error('the state file is unreadable');
    await expect(ipcMain.invoke('agent:get-status', 7)).rejects.toThrow('the state file is unreadable');
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
    const result = await ipcMain.invoke(requestChannel(method), 7, ...SAMPLE_ARGS[method]);
    expect(AGENT_METHODS[method].result.safeParse(result).success).toBe(true);
    expect(service.calls).toEqual([{ method, args: SAMPLE_ARGS[method] }]);
  });

  it.each(METHOD_NAMES)('%s refuses an untrusted window without calling the service', async (method) => {
    await expect(ipcMain.invoke(requestChannel(method), 99, ...SAMPLE_ARGS[method])).rejects.toThrow('not an Atwork window');
    expect(service.calls).toEqual([]);
  });

  it.each([
    ['no arguments', []],
    ['a missing PIN', [{ serverUrl: 'http://127.0.0.1:4000', username: 'ada' }]],
    ['a PIN with NUL', [{ serverUrl: 'http://127.0.0.1:4000', username: 'ada', pin: '12\u000034' }]],
    ['an extra argument', [...SAMPLE_ARGS.enroll, 'again']],
    ['a number for the server', [{ serverUrl: 4000, username: 'ada', pin: '123456' }]],
  ])('refuses enroll with %s', async (_name, args: unknown[]) => {
    await expect(ipcMain.invoke(requestChannel('enroll'), 7, ...args)).rejects.toThrow('arguments');
    expect(service.calls).toEqual([]);
  });

  it('refuses to pass on an answer the contract does not allow', async () => {
    service.status = { ...makeStatus(), enrolled: 'yes' } as unknown as typeof service.status;
    await expect(ipcMain.invoke(requestChannel('getStatus'), 7)).rejects.toThrow('contract does not allow');
  });
});

describe('forwardEvents', () => {
  it('sends every status change to our live windows only', () => {
    const second = new FakeWebContents(8);
    const closed = new FakeWebContents(9);
    windows.track(second.asWebContents());
    windows.track(closed.asWebContents());
    closed.destroy();
    const stranger = new FakeWebContents(10);
    const stop = forwardEvents(service, windows);

    const changed = makeStatus({ deviceId: 'dev-changed' });
    service.emit(changed);
    expect(ours.sent).toEqual([['agent:status-changed', changed]]);
    expect(second.sent).toEqual([['agent:status-changed', changed]]);
    expect(closed.sent).toEqual([]);
    expect(stranger.sent).toEqual([]);

    stop();
    service.emit(makeStatus());
    expect(ours.sent).toHaveLength(1);
  });
});
