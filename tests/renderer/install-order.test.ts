import { describe, expect, it } from 'vitest';
import type { InstallProgress } from '../../src/shared/agent-service-contract';
import { isLaterInstall, withInstall } from '../../src/renderer/shell/install-order';

const base: InstallProgress = {
  appId: 'app-1',
  name: 'Notes',
  version: '1.0',
  phase: 'downloading',
  receivedBytes: 0,
  totalBytes: 100,
  message: null,
  startedAt: '2026-12-01T10:00:00.000Z',
  endedAt: null,
};

describe('install order', () => {
  it('keeps an installed outcome the events brought when the answer to "install" arrives after it', () => {
    const installed: InstallProgress = { ...base, phase: 'installed', receivedBytes: 100, endedAt: '2026-12-01T10:00:01.000Z' };
    expect(withInstall([installed], base)).toEqual([installed]);
  });

  it('lets a retry replace the failed install before it', () => {
    const failed: InstallProgress = { ...base, phase: 'failed', message: 'exit 1', endedAt: '2026-12-01T10:00:01.000Z' };
    const retry: InstallProgress = { ...base, startedAt: '2026-12-01T10:00:05.000Z' };
    expect(withInstall([failed], retry)).toEqual([retry]);
  });

  it('orders reports of one install by phase, then by bytes', () => {
    expect(isLaterInstall({ ...base, phase: 'verifying' }, { ...base, receivedBytes: 90 })).toBe(true);
    expect(isLaterInstall({ ...base, receivedBytes: 50 }, { ...base, receivedBytes: 90 })).toBe(false);
    expect(isLaterInstall({ ...base, receivedBytes: 90 }, { ...base, receivedBytes: 50 })).toBe(true);
    expect(isLaterInstall(base, base)).toBe(false);
  });

  it('adds an app the list does not hold and leaves the other apps alone', () => {
    const other: InstallProgress = { ...base, appId: 'app-2' };
    expect(withInstall([other], base)).toEqual([other, base]);
  });
});
