// The content store of Apps@Work: packages and images, content-addressed by sha256, kept in the database in 1 MiB chunks.
//
// In the database rather than a folder, so every replica on one PostgreSQL serves every package and image with no
// shared volume to provision, back up or keep in step (docs/security.md, "Apps@Work"). A stream is written chunk by
// chunk as it arrives, never held whole, under a temporary key; once its sha256 is known the chunks move under it
// in one transaction, or are dropped when those bytes are already stored.
import { createHash, randomUUID } from 'node:crypto';
import type { ColumnType } from 'kysely';
import type { Db } from '../db/database';

export interface ContentObjectsTable {
  sha256: string;
  /** PostgreSQL answers a bigint as text. */
  size: ColumnType<number | string, number, number>;
  chunk_bytes: number;
  created_at: string;
}

export interface ContentChunksTable {
  /** The sha256 of a stored object, or `upload:<started at>:<uuid>` while it is being written. */
  object_key: string;
  chunk_index: number;
  bytes: Buffer;
}

export const CONTENT_CHUNK_BYTES = 1024 * 1024;
/** Chunks of an upload that never finished (a crashed replica) are swept once they are this old. */
const ABANDONED_UPLOAD_MS = 24 * 3600_000;
const UPLOAD_PREFIX = 'upload:';

export interface StoredContent {
  sha256: string;
  size: number;
}

/** Inclusive byte offsets, as a Range header names them. */
export interface ByteRange {
  start: number;
  end: number;
}

/** The stream held more bytes than the caller allowed; nothing of it was kept. */
export class ContentTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`content is larger than ${maxBytes} bytes`);
  }
}

/** Where packages and images are kept: put a stream, read it back by its sha256. */
export interface ContentStore {
  put(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: { maxBytes: number }): Promise<StoredContent>;
  /** The size of a stored object, or null when none has this hash. */
  size(sha256: string): Promise<number | null>;
  /** The object's bytes (of `range` only, when given), one chunk at a time; call size() first, a missing hash yields nothing. */
  read(sha256: string, range?: ByteRange): AsyncIterable<Buffer>;
  /** Deletes an object; the caller has checked that nothing names it. */
  delete(sha256: string): Promise<void>;
}

/** Cuts a stream into chunks of exactly `size` bytes (the last one shorter), copying each byte once. */
async function* fixedChunks(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const piece of source) {
    let rest = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    while (pendingBytes + rest.length >= size) {
      const take = size - pendingBytes;
      yield Buffer.concat([...pending, rest.subarray(0, take)]);
      rest = rest.subarray(take);
      pending = [];
      pendingBytes = 0;
    }
    if (rest.length > 0) {
      // Copied: the source may reuse its buffer for the next piece.
      pending.push(Buffer.from(rest));
      pendingBytes += rest.length;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending);
}

/** The content store on the server's database (SQLite or PostgreSQL). */
export function databaseContentStore(db: Db, now: () => Date): ContentStore {
  const sweepAbandonedUploads = async () => {
    const cutoff = new Date(now().getTime() - ABANDONED_UPLOAD_MS).toISOString();
    await db.deleteFrom('content_chunks').where('object_key', '>=', UPLOAD_PREFIX).where('object_key', '<', `${UPLOAD_PREFIX}${cutoff}`).execute();
  };

  return {
    async put(source, { maxBytes }) {
      await sweepAbandonedUploads();
      const uploadKey = `${UPLOAD_PREFIX}${now().toISOString()}:${randomUUID()}`;
      const hash = createHash('sha256');
      let size = 0;
      let index = 0;
      try {
        for await (const chunk of fixedChunks(source, CONTENT_CHUNK_BYTES)) {
          size += chunk.length;
          if (size > maxBytes) throw new ContentTooLargeError(maxBytes);
          hash.update(chunk);
          await db.insertInto('content_chunks').values({ object_key: uploadKey, chunk_index: index++, bytes: chunk }).execute();
        }
        const sha256 = hash.digest('hex');
        await db.transaction().execute(async (trx) => {
          const inserted = await trx
            .insertInto('content_objects')
            .values({ sha256, size, chunk_bytes: CONTENT_CHUNK_BYTES, created_at: now().toISOString() })
            .onConflict((oc) => oc.column('sha256').doNothing())
            .executeTakeFirst();
          if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) {
            await trx.updateTable('content_chunks').set({ object_key: sha256 }).where('object_key', '=', uploadKey).execute();
          } else {
            await trx.deleteFrom('content_chunks').where('object_key', '=', uploadKey).execute();
          }
        });
        return { sha256, size };
      } catch (error) {
        await db.deleteFrom('content_chunks').where('object_key', '=', uploadKey).execute().catch(() => undefined);
        throw error;
      }
    },

    async size(sha256) {
      const row = await db.selectFrom('content_objects').select('size').where('sha256', '=', sha256).executeTakeFirst();
      return row === undefined ? null : Number(row.size);
    },

    async *read(sha256, range) {
      const object = await db.selectFrom('content_objects').select(['size', 'chunk_bytes']).where('sha256', '=', sha256).executeTakeFirst();
      if (object === undefined) return;
      const size = Number(object.size);
      if (size === 0) return;
      const { start, end } = range ?? { start: 0, end: size - 1 };
      const chunkBytes = object.chunk_bytes;
      for (let index = Math.floor(start / chunkBytes); index <= Math.floor(end / chunkBytes); index++) {
        const row = await db.selectFrom('content_chunks').select('bytes').where('object_key', '=', sha256).where('chunk_index', '=', index).executeTakeFirst();
        if (row === undefined) throw new Error(`content ${sha256} lacks chunk ${index}`);
        const bytes = Buffer.from(row.bytes);
        const from = index * chunkBytes;
        yield bytes.subarray(Math.max(0, start - from), Math.min(bytes.length, end - from + 1));
      }
    },

    async delete(sha256) {
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('content_objects').where('sha256', '=', sha256).execute();
        await trx.deleteFrom('content_chunks').where('object_key', '=', sha256).execute();
      });
    },
  };
}
