// The enrolled server as the CSP sees it: the status read at start, then every change; an event during the first read wins.
import { describe, expect, it } from 'vitest';
import { followEnrolledServer } from '../../src/main/enrolled-server';
import type { AgentStatus } from '../../src/shared/agent-status';
import { makeStatus } from '../support/fake-agent-service';

/** An agent whose first getStatus answers only when the test says so. */
function slowAgent(): { service: Parameters<typeof followEnrolledServer>[0]; answer(status: AgentStatus): void; fail(): void; change(status: AgentStatus): void } {
  let resolve: (status: AgentStatus) => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const first = new Promise<AgentStatus>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const listeners: ((status: AgentStatus) => void)[] = [];
  return {
    service: {
      getStatus: () => first,
      onStatusChanged: (listener) => {
        listeners.push(listener);
        return () => undefined;
      },
    },
    answer: (status) => resolve(status),
    fail: () => reject(new Error('the state file is unreadable')),
    change: (status) => listeners.forEach((listener) => listener(status)),
  };
}

describe('followEnrolledServer', () => {
  it('waits for the first status rather than answer "none" too early', async () => {
    const agent = slowAgent();
    const serverUrl = followEnrolledServer(agent.service);
    let answered: string | null | undefined;
    void serverUrl().then((url) => (answered = url));
    await Promise.resolve();
    expect(answered).toBeUndefined();
    agent.answer(makeStatus({ serverUrl: 'https://mdm.example.com' }));
    await expect(serverUrl()).resolves.toBe('https://mdm.example.com');
  });

  it('is null before enrollment, and the new server right after it', async () => {
    const agent = slowAgent();
    const serverUrl = followEnrolledServer(agent.service);
    agent.answer(makeStatus({ serverUrl: null, enrolled: false }));
    await expect(serverUrl()).resolves.toBeNull();
    agent.change(makeStatus({ serverUrl: 'https://mdm.example.com:8443' }));
    await expect(serverUrl()).resolves.toBe('https://mdm.example.com:8443');
  });

  it('keeps a change heard while the first read was under way', async () => {
    const agent = slowAgent();
    const serverUrl = followEnrolledServer(agent.service);
    agent.change(makeStatus({ serverUrl: 'https://new.example.com' }));
    agent.answer(makeStatus({ serverUrl: null }));
    await expect(serverUrl()).resolves.toBe('https://new.example.com');
  });

  it('answers null when the status cannot be read', async () => {
    const agent = slowAgent();
    const serverUrl = followEnrolledServer(agent.service);
    agent.fail();
    await expect(serverUrl()).resolves.toBeNull();
  });
});
