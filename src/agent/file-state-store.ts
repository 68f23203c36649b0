// The Node StateStore: JSON files in a 0700 state folder, written atomically with mode 0600 and validated when read; what cannot be used is kept in rejected/.
import { chmod, mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import { writeFileAtomic } from './atomic-file';
import {
  AgentStateSchema,
  JournalEntrySchema,
  OutboxEntrySchema,
  outboxEntryId,
  type AgentState,
  type JournalEntry,
  type OutboxEntry,
} from './agent-state';
import type { Logger, SetAsideFile, StateStore } from './ports';

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
  private readonly statePath: string;
  private readonly outboxDir: string;
  private readonly journalDir: string;
  /** Outbox entries the server refused for good and reported set-aside files, kept for inspection; made when first needed. */
  private readonly rejectedDir: string;
  private ready: Promise<void> | null = null;

  constructor(
    private readonly stateDir: string,
    private readonly logger: Logger,
  ) {
    this.statePath = join(stateDir, 'state.json');
    this.outboxDir = join(stateDir, 'outbox');
    this.journalDir = join(stateDir, 'journal');
    this.rejectedDir = join(stateDir, 'rejected');
  }

  async readState(): Promise<AgentState | null> {
    let text: string;
    try {
      text = await readFile(this.statePath, 'utf8');
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    const parsed = parseJson(text, AgentStateSchema);
    if (!parsed.success) throw new Error(`agent state in ${this.statePath} is not valid (${parsed.error}); re-enroll with a fresh state folder`);
    return parsed.data;
  }

  async writeState(state: AgentState): Promise<void> {
    await this.ensureDirs();
    await writeFileAtomic(this.statePath, JSON.stringify(AgentStateSchema.parse(state), null, 2), PRIVATE_FILE);
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

  private ensureDirs(): Promise<void> {
    this.ready ??= (async () => {
      await ensurePrivateDir(this.stateDir);
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
