// The Node BlobStore: encrypted script blobs as 0600 files in a private folder, each named by the sha256 of its bytes (issue 10).
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '../../shared/node/blob-cipher';
import { writeFileAtomic } from './atomic-file';
import type { BlobStore } from '../core/ports';

const SHA256_HEX = /^[0-9a-f]{64}$/;

export class FileBlobStore implements BlobStore {
  /** `ensureDir` makes the folder private before the first write; reads and removals need no folder. */
  constructor(
    private readonly dir: string,
    private readonly ensureDir: () => Promise<void>,
  ) {}

  async put(data: Buffer): Promise<string> {
    const sha256 = sha256Hex(data);
    await this.ensureDir();
    await writeFileAtomic(join(this.dir, sha256), data, 0o600);
    return sha256;
  }

  async get(sha256: string): Promise<Buffer | null> {
    try {
      return await readFile(this.pathOf(sha256));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async retain(keep: ReadonlySet<string>): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    // Leftover temp files of an interrupted write go too: they start with a dot and are never a sha256.
    for (const name of names.filter((n) => !keep.has(n))) await rm(join(this.dir, name), { force: true });
  }

  /** Only a sha256 names a file here, so no name can reach outside the folder. */
  private pathOf(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error(`blob name ${JSON.stringify(sha256)} is not a sha256`);
    return join(this.dir, sha256);
  }
}
