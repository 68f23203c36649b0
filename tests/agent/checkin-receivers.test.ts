// Check-in receivers (issue 10): each isolated, a failing one reported and never stopping the others or the next check-in; long work on its own queue.
import { describe, expect, it } from 'vitest';
import { CHECKIN_RECEIVERS, CheckinReceivers, type CheckinContext, type CheckinReceiver } from '../../src/agent/service/checkin-receivers';
import type { OutboxEntry } from '../../src/agent/core/agent-state';
import { FileStateStore } from '../../src/agent/state/file-state-store';
import { SerialWorkQueue } from '../../src/agent/core/work-queue';
import { DEFAULT_AGENT_CONFIG } from '../../src/shared/agent-config';
import { DEVICE_API_PREFIX, EventsRequestSchema, type CheckinResponse } from '../../src/shared/protocol';
import { recordingLogger } from './agent-test-kit';
import { enrolled } from './fake-device-server';

const ANSWER: CheckinResponse = { agentConfig: null, scripts: [], commands: [], nextCheckinSeconds: 900, serverTime: '2026-12-01T10:00:00.000Z', inventoryWanted: false };

/** The part of a check-in context the receivers under test use: a logger, a clock and an outbox. */
function fakeContext(): { context: CheckinContext; outbox: OutboxEntry[]; logger: ReturnType<typeof recordingLogger> } {
  const outbox: OutboxEntry[] = [];
  const logger = recordingLogger();
  const ports = { logger, clock: { now: () => new Date('2026-12-01T10:00:00.000Z'), schedule: () => () => undefined }, state: { putOutbox: async (e: OutboxEntry) => void outbox.push(e) } };
  return { context: { ports, work: new SerialWorkQueue(logger) } as unknown as CheckinContext, outbox, logger };
}

function receiver(name: string, calls: string[], fail: () => boolean = () => false): CheckinReceiver {
  return {
    name,
    receive: async () => {
      calls.push(name);
      if (fail()) throw new Error(`${name} broke`);
    },
  };
}

describe('CheckinReceivers', () => {
  it('runs every receiver in order when one throws, reports the failure once, and runs them all again next time', async () => {
    const calls: string[] = [];
    let failing = true;
    const receivers = new CheckinReceivers([receiver('first', calls), receiver('middle', calls, () => failing), receiver('last', calls)]);
    const { context, outbox, logger } = fakeContext();

    const failures = await receivers.apply(ANSWER, context);
    expect(calls).toEqual(['first', 'middle', 'last']);
    expect(failures).toMatchObject([{ receiver: 'middle', error: { message: 'middle broke' } }]);
    expect(outbox).toMatchObject([{ kind: 'event', event: { type: 'checkin.receiver_failed', data: { receiver: 'middle', reason: 'middle broke' } } }]);
    expect(logger.lines).toContainEqual({ level: 'error', message: 'apply the middle of the check-in answer failed', fields: { reason: 'middle broke' } });

    // The same failure at the next check-in is logged, not reported again; once it recovers, a new failure is.
    await receivers.apply(ANSWER, context);
    expect(calls).toHaveLength(6);
    expect(outbox).toHaveLength(1);
    failing = false;
    expect(await receivers.apply(ANSWER, context)).toEqual([]);
    failing = true;
    await receivers.apply(ANSWER, context);
    expect(outbox).toHaveLength(2);
  });

  it('registers the revocation list before scripts and schedules, so a revocation in an answer applies to its tickets', () => {
    expect(CHECKIN_RECEIVERS.map((r) => r.name)).toEqual(['agent configuration', 'revocation list', 'scripts and schedules', 'commands']);
  });
});

describe('AgentService with a failing receiver', () => {
  it('still delivers the scripts of an answer whose revocation list is unusable, reports it, and checks in again', async () => {
    const { server, agent } = await enrolled();
    const checkin = `${DEVICE_API_PREFIX}/checkin`;
    const original = server.api.routes.get(`POST ${checkin}`)!;
    // A list that does not even parse: the revocation list receiver throws on it.
    server.api.on('POST', checkin, async (request) => {
      const answer = await original(request);
      return { ...answer, body: { ...(answer.body as object), revocationList: Buffer.from('not a CRL').toString('base64') } };
    });
    server.configurations.push({ configurationId: 'cfg-1', version: 1, script: 'echo hello' });

    const status = await agent.checkInNow();
    expect(status.lastCheckinError).toBeNull();
    expect(server.results()).toMatchObject([{ configurationId: 'cfg-1', status: 'completed', stdout: 'hello\n' }]);
    const events = server.events().flatMap((post) => EventsRequestSchema.parse(post.body).events);
    expect(events).toMatchObject([{ type: 'checkin.receiver_failed', data: { receiver: 'revocation list', reason: 'revocation list cannot be parsed' } }]);

    server.configurations.push({ configurationId: 'cfg-2', version: 1, script: 'echo again' });
    await agent.checkInNow();
    expect(server.results().map((r) => r.configurationId)).toEqual(['cfg-1', 'cfg-2']);
    await agent.stop();
  });

  it('keeps long work off the check-in queue: a check-in goes on while queued work is still running', async () => {
    let release: () => void = () => undefined;
    const longWork = new Promise<void>((resolve) => (release = resolve));
    let finished = false;
    const slow: CheckinReceiver = {
      name: 'slow installs',
      receive: async (_answer, context) => context.work.enqueue('install', () => longWork.then(() => void (finished = true))),
    };
    const { server, makeAgent } = await enrolled();
    const agent = makeAgent([slow, ...CHECKIN_RECEIVERS]);
    await agent.checkInNow();
    expect((await agent.checkInNow()).lastCheckinError).toBeNull();
    expect(server.api.calls('POST', `${DEVICE_API_PREFIX}/checkin`)).toHaveLength(2);
    expect(finished).toBe(false);
    release();
    await agent.stop();
    expect(finished).toBe(true);
  });

  it('keeps the agent configuration a check-in carries', async () => {
    const { agent, stateDir } = await enrolled();
    await agent.checkInNow();
    expect((await new FileStateStore(stateDir, recordingLogger()).readState())?.agentConfig).toEqual(DEFAULT_AGENT_CONFIG);
    await agent.stop();
  });
});
