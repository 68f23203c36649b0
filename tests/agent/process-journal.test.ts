// Issue 9 item 5: the journal entry records a run's processes and a heartbeat; recovery ends leftovers by verified identity and reports the stop time.
import { describe, expect, it } from 'vitest';
import { JournalEntrySchema, type JournalEntry } from '../../src/agent/core/agent-state';
import type { StateStore } from '../../src/agent/core/ports';
import { endLeftoverRun } from '../../src/agent/runner/process-containment';
import { JOURNAL_HEARTBEAT_MS, RunJournal } from '../../src/agent/delivery/process-journal';
import type { ProcessInfo, ProcessTable } from '../../src/agent/core/ports';
import { interruptedResult } from '../../src/agent/delivery/run-records';
import { RunWorkFolder } from '../../src/agent/runner/run-work-folder';
import { recordingLogger } from './agent-test-kit';
import { FakeClock } from './scheduler-fake-clock';

const T0 = new Date('2026-12-01T10:00:00.000Z');
/** Lets the journal write a fired heartbeat queued. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const entry: JournalEntry = {
  executionId: '0b7f3c1e-8a59-4d1e-9b6a-2f4c8d9e1a23',
  configurationId: 'cfg-1',
  configurationVersion: 1,
  scriptId: 'script-1',
  scriptVersion: 1,
  scriptName: 'Long',
  startedAt: T0.toISOString(),
};

function journalStore(): { store: Pick<StateStore, 'putJournal'>; written: JournalEntry[] } {
  const written: JournalEntry[] = [];
  return { written, store: { putJournal: async (e) => void written.push(e) } };
}

describe('the run journal', () => {
  it('reads entries written before issue 9, without process or heartbeat', () => {
    expect(JournalEntrySchema.parse(entry)).toEqual(entry);
  });

  it('records the processes at once, then a heartbeat every interval, and nothing after stop()', async () => {
    const clock = new FakeClock(T0);
    const { store, written } = journalStore();
    const journal = new RunJournal(entry, store, clock, recordingLogger());
    const start = { process: { pid: 4242, startId: 'boot:123', supervised: true }, workFolder: { holder: '/tmp/atwork-run-abc', owner: { uid: 501, gid: 20 } } };
    await journal.started(start);
    expect(written).toEqual([{ ...entry, ...start, lastAliveAt: T0.toISOString() }]);
    await clock.advance(JOURNAL_HEARTBEAT_MS * 2, settle);
    expect(written.map((e) => e.lastAliveAt)).toEqual([0, 1, 2].map((n) => new Date(T0.getTime() + n * JOURNAL_HEARTBEAT_MS).toISOString()));
    expect(written.every((e) => JournalEntrySchema.safeParse(e).success)).toBe(true);
    await journal.stop();
    await clock.advance(JOURNAL_HEARTBEAT_MS * 3, settle);
    expect(written).toHaveLength(3);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('reports an interrupted run as ended at its last heartbeat, or at its start without one', () => {
    const lastAliveAt = new Date(T0.getTime() + 7000).toISOString();
    expect(interruptedResult({ ...entry, lastAliveAt })).toMatchObject({ status: 'interrupted', startedAt: entry.startedAt, endedAt: lastAliveAt, durationMs: 7000 });
    expect(interruptedResult(entry)).toMatchObject({ endedAt: entry.startedAt, durationMs: 0 });
  });
});

describe('RunWorkFolder.fromRecord', () => {
  it.each(['relative/atwork-run-x', '/tmp/atwork-run-x/../etc', '/etc', '/tmp/other-x'])('refuses to remove %s from a journal record', (holder) => {
    expect(RunWorkFolder.fromRecord({ holder, owner: null })).toBeNull();
  });

  it('takes back a holder this agent makes', () => {
    expect(RunWorkFolder.fromRecord({ holder: '/tmp/atwork-run-x', owner: { uid: 1, gid: 1 } })?.path).toBe('/tmp/atwork-run-x/w');
  });
});

describe('endLeftoverRun', () => {
  const table = (processes: ProcessInfo[]): ProcessTable => ({ list: () => processes, startIdOf: (pid) => processes.find((p) => p.pid === pid)?.startId ?? null });
  const proc = (pid: number, ppid: number, sid: number, startId: string): ProcessInfo => ({ pid, ppid, pgid: sid, sid, startId, zombie: false });
  const recorder = (processes: ProcessTable | null) => {
    const sent: string[] = [];
    return { sent, spawner: { processes, signal: (pid: number, s: string) => void sent.push(`${s} ${pid}`), signalGroup: (pgid: number, s: string) => void sent.push(`${s} -${pgid}`) } };
  };

  it('sends nothing when the platform cannot verify identities', async () => {
    const { sent, spawner } = recorder(null);
    expect(await endLeftoverRun({ pid: 300, startId: null, supervised: false }, spawner)).toEqual({ killed: 0, left: -1 });
    expect(sent).toEqual([]);
  });

  it('never signals a process that reused the recorded pid, nor its children', async () => {
    const { sent, spawner } = recorder(table([proc(300, 1, 300, 'someone-else'), proc(301, 300, 300, 'x')]));
    expect(await endLeftoverRun({ pid: 300, startId: 'ours', supervised: true }, spawner)).toEqual({ killed: 0, left: 0 });
    expect(sent).toEqual([]);
  });
});
