// Downloads a package to a private file, streamed (never whole in memory), capped at its signed size, resumed with a Range request after a broken connection.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { HttpFailure, type Clock, type DownloadResponse, type Logger } from '../core/ports';
import { refusal, type DeviceApiClient } from '../transport/device-api-client';

/** A download that gets no byte for this long is broken off (and resumed). */
export const PACKAGE_IDLE_TIMEOUT_MS = 60_000;
/** Resumptions in a row without a byte in between before the download is given up. */
const MAX_RESUMES_WITHOUT_PROGRESS = 5;
/** An error answer's body is read up to this, for its message. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

export interface PackageDownload {
  api: DeviceApiClient;
  deviceId: string;
  /** The signed path on the enrolled server. */
  path: string;
  /** The private file to write; created 0600, or emptied. */
  file: string;
  /** The signed size: a hard cap, and what a complete download has. */
  size: number;
  /** Told the bytes on disk after every chunk. */
  onBytes(received: number): void;
  clock: Clock;
  logger: Logger;
  idleTimeoutMs?: number;
  /** Wait before the first resumption, doubled each time without progress (default 1 s). */
  resumeDelayMs?: number;
}

/** The server sent more than the ticket signs, or answered a resumed download with the wrong part: never resumed. */
export class PackageRefusedError extends Error {}

/** Downloads `download.path` to `download.file`; resolves once the file holds exactly the signed size. */
export async function downloadPackage(download: PackageDownload): Promise<void> {
  const handle = await open(download.file, 'w', 0o600);
  let onDisk = 0;
  let resumesWithoutProgress = 0;
  try {
    // The mode of open applies only to a new file.
    await handle.chmod(0o600);
    for (;;) {
      const before = onDisk;
      try {
        onDisk = await receive(download, handle, onDisk, (bytes) => {
          onDisk = bytes;
          download.onBytes(bytes);
        });
        if (onDisk === download.size) return;
        throw new HttpFailure('network', `the download ended after ${onDisk} of ${download.size} bytes`);
      } catch (error) {
        if (!(error instanceof HttpFailure) || error.code === 'too_large') throw error;
        resumesWithoutProgress = onDisk > before ? 1 : resumesWithoutProgress + 1;
        if (resumesWithoutProgress > MAX_RESUMES_WITHOUT_PROGRESS) throw error;
        download.logger.warn('package download broke off; resuming', { path: download.path, received: onDisk, size: download.size, reason: error.message });
        await sleep(download.clock, (download.resumeDelayMs ?? 1000) * 2 ** (resumesWithoutProgress - 1));
      }
    }
  } finally {
    await handle.close();
  }
}

/** One request from `from` on, telling `progressed` the bytes on disk as they change; resolves with them when its body ended. */
async function receive(download: PackageDownload, handle: FileHandle, from: number, progressed: (bytes: number) => void): Promise<number> {
  const response = await download.api.downloadPackage(download.deviceId, download.path, {
    from,
    maxBytes: download.size,
    idleTimeoutMs: download.idleTimeoutMs ?? PACKAGE_IDLE_TIMEOUT_MS,
  });
  let offset: number;
  if (response.status === 200) {
    // The whole package again (a server that does not do ranges): start over.
    offset = 0;
    await handle.truncate(0);
    progressed(0);
  } else if (response.status === 206 && from > 0 && rangeStart(response.headers['content-range']) === from) {
    offset = from;
  } else if (response.status === 206) {
    response.cancel();
    throw new PackageRefusedError(`the server answered the download from byte ${from} with another part of the package`);
  } else {
    throw refusal('download package', response.status, await readError(response), response.headers, download.clock.now());
  }
  for await (const chunk of response.body) {
    if (offset + chunk.length > download.size) {
      response.cancel();
      throw new PackageRefusedError(`the server sent more than the ${download.size} bytes the package ticket signs`);
    }
    await handle.write(chunk, 0, chunk.length, offset);
    offset += chunk.length;
    progressed(offset);
  }
  return offset;
}

/** The first byte of a `Content-Range: bytes FIRST-LAST/SIZE`, or null. */
function rangeStart(header: string | undefined): number | null {
  const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header?.trim() ?? '');
  return match === null ? null : Number(match[1]);
}

async function readError(response: DownloadResponse): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= MAX_ERROR_BODY_BYTES) break;
    }
  } catch {
    // What arrived is enough for a message.
  }
  response.cancel();
  return Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY_BYTES);
}

/** The sha256 of a file, read as a stream. */
export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.schedule(ms, resolve));
}
