// The Node StateStore: JSON files in a 0700 state folder (the state in slices, blobs, outbox, journal), written atomically with mode 0600 and validated when read; what cannot be used is kept in rejected/.
import { chmod, mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { writeFileAtomic } from './atomic-file';
import {
  JournalEntrySchema,
  OutboxEntrySchema,
  outboxEntryId,
  type AgentState,
  type JournalEntry,
  type OutboxEntry,
} from '../core/agent-state';
import { FileBlobStore } from './file-blob-store';
import type { Logger, SetAsideFile, StateStore } from '../core/ports';
import { migrateLegacyState } from './state-migration';
import { blobsInUse, IDENTITY_SLICE, parseSliceFile, SCHEDULES_SLICE, sliceFileText, STATE_SLICES, type StateSlice } from './state-slices';

const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;
/** Suffix of a file set aside as unreadable, until its loss is reported and it moves to the rejected folder. */
const SET_ASIDE = '.invalid';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Creates `dir` (and parents) if needed and makes sure only its owner can enter it, even if it existed before. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR });
  await chmod(dir, PRIVATE_DIR);
}

export class FileStateStore implements StateStore {
  readonly blobs: FileBlobStore;
  /** The single state document of agents before issue 10, moved into slices when first read. */
  private readonly legacyStatePath: string;
  private readonly slicesDir: string;
  /** The text of each slice as last read or written, so a write leaves unchanged slices alone. */
  private readonly written = new Map<string, string>();
  private readonly outboxDir: string;
  private readonly journalDir: string;
  /** Outbox entries the server refused for good and reported set-aside files, kept for inspection; made when first needed. */
  private readonly rejectedDir: string;
  private ready: Promise<void> | null = null;

  constructor(
    private readonly stateDir: string,
    private readonly logger: Logger,
  ) {
    this.legacyStatePath = join(stateDir, 'state.json');
    this.slicesDir = join(stateDir, 'slices');
    const blobsDir = join(stateDir, 'blobs');
    this.blobs = new FileBlobStore(blobsDir, async () => {
      await this.ensureDirs();
      await ensurePrivateDir(blobsDir);
    });
    this.outboxDir = join(stateDir, 'outbox');
    this.journalDir = join(stateDir, 'journal');
    this.rejectedDir = join(stateDir, 'rejected');
  }

  /** Reads every slice; a folder with state.json only (an agent before issue 10) is migrated first. */
  async readState(): Promise<AgentState | null> {
    if ((await this.readSlice(IDENTITY_SLICE)) === null) return this.migrateLegacyState();
    const parts: Partial<AgentState>[] = [];
    for (const slice of STATE_SLICES) {
      const text = await this.readSlice(slice);
      if (text === null) throw new Error(`agent state in ${this.slicesDir} has no ${slice.name} slice; re-enroll with a fresh state folder`);
      const parsed = parseSliceFile(slice, text);
      if (!parsed.success) throw new Error(`agent state in ${this.slicePath(slice)} is not valid (${parsed.error}); re-enroll with a fresh state folder`);
      parts.push(parsed.data);
    }
    const state = Object.assign({}, ...parts) as AgentState;
    for (const slice of STATE_SLICES) this.written.set(slice.name, sliceFileText(slice, state));
    // Left by a migration cut short after its slices were complete.
    await rm(this.legacyStatePath, { force: true });
    return state;
  }

  /** Validates every changed slice, then writes each of them atomically, identity last (state-slices.ts). */
  async writeState(state: AgentState): Promise<void> {
    const changed = STATE_SLICES.map((slice) => ({ slice, text: sliceFileText(slice, state) })).filter(({ slice, text }) => this.written.get(slice.name) !== text);
    for (const { slice } of changed) slice.schema.parse(slice.of(state));
    if (changed.length > 0) await this.ensureDirs();
    for (const { slice, text } of changed) {
      await writeFileAtomic(this.slicePath(slice), text, PRIVATE_FILE);
      this.written.set(slice.name, text);
      if (slice === SCHEDULES_SLICE) await this.blobs.retain(blobsInUse(state));
    }
  }

  async putOutbox(entry: OutboxEntry): Promise<void> {
    await this.ensureDirs();
    await writeFileAtomic(join(this.outboxDir, outboxFileName(entry)), JSON.stringify(OutboxEntrySchema.parse(entry)), PRIVATE_FILE);
  }

  async listOutbox(): Promise<OutboxEntry[]> {
    return this.readAll(this.outboxDir, OutboxEntrySchema);
  }

  async removeOutbox(entry: OutboxEntry): Promise<void> {
    await rm(join(this.outboxDir, outboxFileName(entry)), { force: true });
  }

  async rejectOutbox(entry: OutboxEntry): Promise<void> {
    await this.moveToRejected(join(this.outboxDir, outboxFileName(entry)), outboxFileName(entry));
  }

  async putJournal(entry: JournalEntry): Promise<void> {
    await this.ensureDirs();
    const valid = JournalEntrySchema.parse(entry);
    await writeFileAtomic(join(this.journalDir, `${valid.executionId}.json`), JSON.stringify(valid), PRIVATE_FILE);
  }

  async listJournal(): Promise<JournalEntry[]> {
    return this.readAll(this.journalDir, JournalEntrySchema);
  }

  async removeJournal(executionId: string): Promise<void> {
    if (!UUID.test(executionId)) throw new Error(`journal entry id ${JSON.stringify(executionId)} is not a uuid`);
    await rm(join(this.journalDir, `${executionId}.json`), { force: true });
  }

  async listSetAside(): Promise<SetAsideFile[]> {
    await this.ensureDirs();
    const found: SetAsideFile[] = [];
    for (const [kind, dir, schema] of [['journal', this.journalDir, JournalEntrySchema], ['outbox', this.outboxDir, OutboxEntrySchema]] as const) {
      for (const name of (await readdir(dir)).filter((n) => n.endsWith(SET_ASIDE)).sort()) {
        const text = await readFile(join(dir, name), 'utf8').catch(() => null);
        const parsed = text === null ? null : parseJson(text, schema as z.ZodType<unknown>);
        found.push({ kind, name: name.slice(0, -SET_ASIDE.length), reason: parsed === null ? 'unreadable' : parsed.success ? 'valid now' : parsed.error });
      }
    }
    return found;
  }

  async keepSetAside(file: SetAsideFile): Promise<void> {
    const dir = file.kind === 'journal' ? this.journalDir : this.outboxDir;
    await this.moveToRejected(join(dir, `${file.name}${SET_ASIDE}`), `${file.kind}-${file.name}${SET_ASIDE}`);
  }

  /** Moves a file into the rejected folder; one already gone (an entry that was only ever in memory) is not an error. */
  private async moveToRejected(path: string, name: string): Promise<void> {
    await ensurePrivateDir(this.rejectedDir);
    try {
      await rename(path, join(this.rejectedDir, name));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  private slicePath(slice: StateSlice): string {
    return join(this.slicesDir, `${slice.name}.json`);
  }

  private async readSlice(slice: StateSlice): Promise<string | null> {
    try {
      return await readFile(this.slicePath(slice), 'utf8');
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** Moves state.json into slices (its blobs into the blob store), then removes it; null when there is none either. */
  private async migrateLegacyState(): Promise<AgentState | null> {
    let text: string;
    try {
      text = await readFile(this.legacyStatePath, 'utf8');
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    const state = await migrateLegacyState(text, this.legacyStatePath, this.blobs);
    await this.writeState(state);
    await rm(this.legacyStatePath, { force: true });
    this.logger.info('moved the agent state from state.json into slices', { deviceId: state.deviceId, schedules: state.schedules?.length ?? 0 });
    return state;
  }

  private ensureDirs(): Promise<void> {
    this.ready ??= (async () => {
      await ensurePrivateDir(this.stateDir);
      await ensurePrivateDir(this.slicesDir);
      await ensurePrivateDir(this.outboxDir);
      await ensurePrivateDir(this.journalDir);
    })().catch((error: unknown) => {
      this.ready = null;
      throw error;
    });
    return this.ready;
  }

  /** Reads every entry of a folder; an unreadable one is renamed aside (`.invalid`) until listSetAside reports it, so it is reported once, not forever. */
  private async readAll<T>(dir: string, schema: z.ZodType<T>): Promise<T[]> {
    await this.ensureDirs();
    const names = (await readdir(dir)).filter((name) => name.endsWith('.json') && !name.startsWith('.')).sort();
    const entries: T[] = [];
    for (const name of names) {
      const path = join(dir, name);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if (isNotFound(error)) continue;
        throw error;
      }
      const parsed = parseJson(text, schema);
      if (parsed.success) {
        entries.push(parsed.data);
      } else {
        this.logger.warn('set aside an invalid state file', { path, reason: parsed.error });
        await rename(path, `${path}${SET_ASIDE}`);
      }
    }
    return entries;
  }
}

function outboxFileName(entry: OutboxEntry): string {
  const id = outboxEntryId(entry);
  if (!UUID.test(id)) throw new Error(`outbox entry id ${JSON.stringify(id)} is not a uuid`);
  return `${entry.kind}-${id}.json`;
}

function parseJson<T>(text: string, schema: z.ZodType<T>): { success: true; data: T } | { success: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { success: false, error: 'not JSON' };
  }
  const result = schema.safeParse(value);
  return result.success ? { success: true, data: result.data } : { success: false, error: result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}
