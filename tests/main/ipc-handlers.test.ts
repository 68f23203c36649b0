// IPC handlers answer only our windows, pass on service results, and status changes reach our windows only.
import { beforeEach, describe, expect, it } from 'vitest';
import { forwardStatusChanges, registerHandlers } from '../../src/main/ipc-handlers';
import { TrustedWindows } from '../../src/main/trusted-windows';
import type { IpcSenderEvent } from '../../src/main/trusted-windows';
import { REQUEST_CHANNELS } from '../../src/preload/contract';
import { FakeAgentService, makeStatus } from '../support/fake-agent-service';
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

describe('forwardStatusChanges', () => {
  it('sends every status change to our live windows only', () => {
    const second = new FakeWebContents(8);
    const closed = new FakeWebContents(9);
    windows.track(second.asWebContents());
    windows.track(closed.asWebContents());
    closed.destroy();
    const stranger = new FakeWebContents(10);
    const stop = forwardStatusChanges(service, windows);

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
