// What the catalog keeps in the content store: checked images with their thumbnails, and the clean-up of what no app names any more.
import { MAX_IMAGE_BYTES, type CatalogImage } from '../../shared/catalog-protocol';
import { HttpError } from '../app/http-errors';
import type { Db } from '../db/database';
import { deleteImageRecords, imageContent, insertImage, unusedContent } from './app-queries';
import { ContentTooLargeError, type ContentStore } from './content-store';
import { checkImage } from './image-checks';

/** Reads an uploaded image whole (at most MAX_IMAGE_BYTES: sharp decodes from memory), checks it, and stores it and its thumbnail. */
export async function storeImage(db: Db, store: ContentStore, body: AsyncIterable<Buffer>, now: Date): Promise<CatalogImage> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of body) {
    size += part.length;
    if (size > MAX_IMAGE_BYTES) throw new HttpError(413, 'payload_too_large', `An image may be at most ${MAX_IMAGE_BYTES / 1024 / 1024} MiB; make it smaller.`);
    parts.push(part);
  }
  const bytes = Buffer.concat(parts);
  const checked = await checkImage(bytes);
  const original = await store.put([bytes], { maxBytes: MAX_IMAGE_BYTES });
  const thumbnail = checked.thumbnail === null ? original : await store.put([checked.thumbnail], { maxBytes: MAX_IMAGE_BYTES });
  await insertImage(db, {
    sha256: original.sha256,
    format: checked.format,
    width: checked.width,
    height: checked.height,
    thumbnail_sha256: thumbnail.sha256,
    thumbnail_format: checked.thumbnail === null ? checked.format : 'webp',
    created_at: now.toISOString(),
  });
  return { sha256: original.sha256, width: checked.width, height: checked.height, thumbnailSha256: thumbnail.sha256 };
}

/** Stores an uploaded package, streamed; too large or empty is the uploader's error. */
export async function storePackage(store: ContentStore, body: AsyncIterable<Buffer>, maxBytes: number): Promise<{ sha256: string; size: number }> {
  try {
    const stored = await store.put(body, { maxBytes });
    if (stored.size === 0) throw new HttpError(400, 'bad_request', 'The package is empty; upload the .pkg file itself.');
    return stored;
  } catch (error) {
    if (error instanceof ContentTooLargeError) throw new HttpError(413, 'payload_too_large', `A package may be at most ${maxBytes} bytes.`);
    throw error;
  }
}

/**
 * Deletes the content of packages and images (with their thumbnails) that no app names any more, after the change
 * that dropped them committed. Content is shared by hash, so one still named elsewhere stays.
 */
export async function dropUnusedContent(db: Db, store: ContentStore, packages: (string | null)[], images: (string | null)[]): Promise<void> {
  const candidates = [...packages.filter((p): p is string => p !== null), ...(await imageContent(db, images))];
  const unused = await unusedContent(db, candidates);
  await deleteImageRecords(db, unused);
  for (const sha256 of unused) await store.delete(sha256);
}
