// The preload exposes exactly the AgentApi under `atwork`, built on the contract channels, and never ipcRenderer.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentApi } from '../../src/preload/contract';
import { requestChannel } from '../../src/preload/contract';
import { EVENT_NAMES, eventProperty, METHOD_NAMES } from '../../src/shared/agent-service-contract';
import { makeStatus, SAMPLE_ARGS } from '../support/fake-agent-service';

const electron = vi.hoisted(() => {
  const listeners = new Map<string, ((event: unknown, payload: unknown) => void)[]>();
  return {
    exposed: new Map<string, unknown>(),
    listeners,
    invoke: vi.fn(async (channel: string, ...args: unknown[]) => ({ channel, args })),
  };
});

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => electron.exposed.set(key, value) },
  ipcRenderer: {
    invoke: electron.invoke,
    on: (channel: string, listener: (event: unknown, payload: unknown) => void) => {
      electron.listeners.set(channel, [...(electron.listeners.get(channel) ?? []), listener]);
    },
    removeListener: (channel: string, listener: (event: unknown, payload: unknown) => void) => {
      electron.listeners.set(channel, (electron.listeners.get(channel) ?? []).filter((l) => l !== listener));
    },
  },
}));

let api: AgentApi;

beforeEach(async () => {
  await import('../../src/preload/index');
  api = electron.exposed.get('atwork') as AgentApi;
});

describe('preload', () => {
  it('exposes one object, atwork, with exactly the AgentApi methods', () => {
    expect([...electron.exposed.keys()]).toEqual(['atwork']);
    expect(Object.keys(api).sort()).toEqual([...METHOD_NAMES, ...EVENT_NAMES.map(eventProperty)].sort());
    expect(Object.keys(api)).toEqual(expect.arrayContaining(['checkInNow', 'enroll', 'getStatus', 'getVersionInfo', 'onStatusChanged']));
    expect(Object.values(api).every((value) => typeof value === 'function')).toBe(true);
  });

  it('invokes the contract channels with no arguments', async () => {
    expect(await api.getStatus()).toEqual({ channel: 'agent:get-status', args: [] });
    expect(await api.checkInNow()).toEqual({ channel: 'agent:check-in-now', args: [] });
  });

  it.each(METHOD_NAMES)('invokes the channel of %s with its arguments as they are', async (method) => {
    const args = SAMPLE_ARGS[method];
    const call = api[method] as (...values: unknown[]) => Promise<unknown>;
    expect(await call(...args)).toEqual({ channel: requestChannel(method), args });
  });

  it('passes only the status payload to a listener, and unsubscribes exactly that listener', () => {
    const seen: unknown[][] = [];
    const unsubscribe = api.onStatusChanged((...args) => seen.push(args));
    const status = makeStatus();
    const ipcEvent = { sender: 'the ipcRenderer itself' };
    for (const listener of electron.listeners.get('agent:status-changed') ?? []) listener(ipcEvent, status);
    expect(seen).toEqual([[status]]);
    unsubscribe();
    expect(electron.listeners.get('agent:status-changed')).toEqual([]);
  });
});
