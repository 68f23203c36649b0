// Bounded capture of a script's output: keeps a head and a tail, counts and hashes every byte, renders it within a budget as UTF-8 or base64.
import { isUtf8 } from 'node:buffer';
import { createHash, type Hash } from 'node:crypto';
import type { OutputEncoding } from '../../shared/script-result';

/**
 * Captures one stream keeping at most `keepBytes` from its start and `keepBytes` from its end, whatever it prints.
 *
 * The end lives in one ring buffer allocated on first use, so a run that prints gigabytes keeps the same few bytes.
 */
export class BoundedCapture {
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private ring: Buffer | null = null;
  /** Where the next tail byte goes in the ring. */
  private ringNext = 0;
  private ringFilled = 0;
  private total = 0;
  private readonly hash: Hash = createHash('sha256');

  constructor(private readonly keepBytes: number) {}

  /** Bytes this capture holds: never more than twice `keepBytes`. */
  get retainedBytes(): number {
    return this.headBytes + (this.ring?.length ?? 0);
  }

  /** Takes one chunk; the chunk may be reused by the caller as soon as this returns. */
  write(chunk: Buffer): void {
    this.total += chunk.length;
    this.hash.update(chunk);
    let rest = chunk;
    if (this.headBytes < this.keepBytes) {
      const take = rest.subarray(0, this.keepBytes - this.headBytes);
      this.head.push(Buffer.from(take));
      this.headBytes += take.length;
      rest = rest.subarray(take.length);
    }
    if (rest.length > 0) this.toRing(rest);
  }

  /** Ends the capture: what was kept (head, then tail) and how many bytes in between were dropped. */
  finish(): CapturedStream {
    const kept = Buffer.concat([...this.head, this.tail()]);
    return { kept, droppedBytes: this.total - kept.length, totalBytes: this.total, sha256: this.hash.digest('hex') };
  }

  private toRing(bytes: Buffer): void {
    const ring = (this.ring ??= Buffer.alloc(this.keepBytes));
    const last = bytes.subarray(Math.max(0, bytes.length - ring.length));
    const first = Math.min(last.length, ring.length - this.ringNext);
    last.copy(ring, this.ringNext, 0, first);
    last.copy(ring, 0, first);
    this.ringNext = (this.ringNext + last.length) % ring.length;
    this.ringFilled = Math.min(ring.length, this.ringFilled + last.length);
  }

  private tail(): Buffer {
    if (this.ring === null) return Buffer.alloc(0);
    if (this.ringFilled < this.ring.length) return this.ring.subarray(0, this.ringFilled);
    return Buffer.concat([this.ring.subarray(this.ringNext), this.ring.subarray(0, this.ringNext)]);
  }
}

export interface CapturedStream {
  /** The first and last bytes of the stream, joined; the whole stream when `droppedBytes` is 0. */
  kept: Buffer;
  droppedBytes: number;
  totalBytes: number;
  sha256: string;
}

export interface RenderedStream {
  /** The output itself; the base64 of its bytes when `encoding` is set. */
  text: string;
  truncated: boolean;
  /** Only on output that is not plain text: absent means UTF-8, as a result's `stdoutEncoding` does. */
  encoding?: 'base64';
}

/** The `stdoutEncoding` / `stderrEncoding` fields of a result for two rendered streams: only the base64 ones are named. */
export function encodingFields(stdout: RenderedStream, stderr: RenderedStream): { stdoutEncoding?: OutputEncoding; stderrEncoding?: OutputEncoding } {
  return { ...(stdout.encoding && { stdoutEncoding: stdout.encoding }), ...(stderr.encoding && { stderrEncoding: stderr.encoding }) };
}

/**
 * Renders stdout and stderr so that both texts together take at most `budgetBytes` of UTF-8.
 *
 * A stream that fits is shown whole; otherwise it gets head + '\n…[truncated N bytes]…\n' + tail, cut on character
 * boundaries. A short stream leaves its unused share of the budget to the other one. Output that is not valid UTF-8
 * or holds NUL is sent as base64 of its bytes (the marker among them when cut), so no byte is lost or replaced (issue 9).
 */
export function renderWithinBudget(stdout: CapturedStream, stderr: CapturedStream, budgetBytes: number): [RenderedStream, RenderedStream] {
  const needOut = fullSize(stdout);
  const needErr = fullSize(stderr);
  const half = Math.floor(budgetBytes / 2);
  let shareOut = half;
  if (needOut + needErr <= budgetBytes) shareOut = needOut;
  else if (needOut <= half) shareOut = needOut;
  else if (needErr <= half) shareOut = budgetBytes - needErr;
  return [renderStream(stdout, shareOut), renderStream(stderr, budgetBytes - shareOut)];
}

/** Whether bytes can travel as text: valid UTF-8 without NUL, which PostgreSQL cannot store in text. */
function isPlainText(bytes: Buffer): boolean {
  return isUtf8(bytes) && !bytes.includes(0);
}

/** Bytes the stream needs to be shown whole, or Infinity when the capture already dropped part of it. */
function fullSize(stream: CapturedStream): number {
  if (stream.droppedBytes > 0) return Number.POSITIVE_INFINITY;
  return isPlainText(stream.kept) ? stream.kept.length : base64Length(stream.kept.length);
}

function base64Length(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

function renderStream(stream: CapturedStream, maxBytes: number): RenderedStream {
  return renderText(stream, maxBytes) ?? renderBase64(stream, maxBytes);
}

/** The stream as UTF-8 text within `maxBytes`, or null when what would be shown is not plain text. */
function renderText(stream: CapturedStream, maxBytes: number): RenderedStream | null {
  const { kept } = stream;
  if (stream.droppedBytes === 0 && kept.length <= maxBytes) return isPlainText(kept) ? { text: kept.toString('utf8'), truncated: false } : null;
  const markerRoom = Buffer.byteLength(marker(stream.totalBytes));
  if (maxBytes <= markerRoom) {
    const head = utf8Head(kept, maxBytes);
    return isPlainText(head) ? { text: head.toString('utf8'), truncated: true } : null;
  }
  const room = maxBytes - markerRoom;
  const head = utf8Head(kept, Math.floor(room / 2));
  const tail = utf8Tail(kept.subarray(head.length), room - head.length);
  if (!isPlainText(head) || !isPlainText(tail)) return null;
  const omitted = Math.max(0, stream.totalBytes - head.length - tail.length);
  return { text: head.toString('utf8') + marker(omitted) + tail.toString('utf8'), truncated: true };
}

/** The stream's bytes as base64 within `maxBytes`: whole, or head + marker + tail of the raw bytes. */
function renderBase64(stream: CapturedStream, maxBytes: number): RenderedStream {
  const rawBudget = Math.floor(maxBytes / 4) * 3;
  const { kept } = stream;
  if (stream.droppedBytes === 0 && kept.length <= rawBudget) return { text: kept.toString('base64'), truncated: false, encoding: 'base64' };
  const markerRoom = Buffer.byteLength(marker(stream.totalBytes));
  if (rawBudget <= markerRoom) return { text: kept.subarray(0, rawBudget).toString('base64'), truncated: true, encoding: 'base64' };
  const room = rawBudget - markerRoom;
  const head = kept.subarray(0, Math.floor(room / 2));
  const tail = kept.subarray(Math.max(head.length, kept.length - (room - head.length)));
  const omitted = Math.max(0, stream.totalBytes - head.length - tail.length);
  return { text: Buffer.concat([head, Buffer.from(marker(omitted)), tail]).toString('base64'), truncated: true, encoding: 'base64' };
}

function marker(omittedBytes: number): string {
  return `\n…[truncated ${omittedBytes} bytes]…\n`;
}

/** The longest prefix of `bytes` that is at most `maxBytes`, never splitting a UTF-8 character. */
function utf8Head(bytes: Buffer, maxBytes: number): Buffer {
  let end = Math.min(maxBytes, bytes.length);
  if (end < bytes.length) while (end > 0 && isContinuation(bytes[end]!)) end--;
  return bytes.subarray(0, end);
}

/** The longest suffix of `bytes` that is at most `maxBytes`, never splitting a UTF-8 character. */
function utf8Tail(bytes: Buffer, maxBytes: number): Buffer {
  let start = Math.max(0, bytes.length - maxBytes);
  while (start < bytes.length && isContinuation(bytes[start]!)) start++;
  return bytes.subarray(start);
}

function isContinuation(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}
