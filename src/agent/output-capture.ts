// Bounded capture of a script's output: keeps a head and a tail, counts and hashes every byte, renders valid UTF-8 within a budget.
import { createHash, type Hash } from 'node:crypto';

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
  text: string;
  truncated: boolean;
}

/**
 * Renders stdout and stderr so that both texts together take at most `budgetBytes` of UTF-8.
 *
 * A stream that fits is shown whole; otherwise it gets head + '\n…[truncated N bytes]…\n' + tail, cut on character
 * boundaries. A short stream leaves its unused share of the budget to the other one.
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

/** Bytes the stream needs to be shown whole, or Infinity when the capture already dropped part of it. */
function fullSize(stream: CapturedStream): number {
  return stream.droppedBytes > 0 ? Number.POSITIVE_INFINITY : Buffer.byteLength(stream.kept.toString('utf8'));
}

function renderStream(stream: CapturedStream, maxBytes: number): RenderedStream {
  if (stream.droppedBytes === 0) {
    const whole = stream.kept.toString('utf8');
    if (Buffer.byteLength(whole) <= maxBytes) return { text: whole, truncated: false };
  }
  const markerRoom = Buffer.byteLength(marker(stream.totalBytes));
  if (maxBytes <= markerRoom) return { text: utf8Head(stream.kept, maxBytes).text, truncated: true };
  const room = maxBytes - markerRoom;
  const head = utf8Head(stream.kept, Math.floor(room / 2));
  const tail = utf8Tail(stream.kept.subarray(head.rawBytes), room - Buffer.byteLength(head.text));
  const shown = Buffer.byteLength(head.text) + Buffer.byteLength(tail);
  return { text: head.text + marker(Math.max(0, stream.totalBytes - shown)) + tail, truncated: true };
}

function marker(omittedBytes: number): string {
  return `\n…[truncated ${omittedBytes} bytes]…\n`;
}

/** The longest prefix of `bytes` that is at most `maxBytes` of UTF-8, never splitting a character. */
function utf8Head(bytes: Buffer, maxBytes: number): { text: string; rawBytes: number } {
  let end = Math.min(maxBytes, bytes.length);
  if (end < bytes.length) while (end > 0 && isContinuation(bytes[end]!)) end--;
  const text = bytes.subarray(0, end).toString('utf8');
  // Invalid input decodes to U+FFFD (3 bytes), which can outgrow the raw slice; cut the re-encoded, valid text again.
  if (Buffer.byteLength(text) <= maxBytes) return { text, rawBytes: end };
  return { text: utf8Head(Buffer.from(text, 'utf8'), maxBytes).text, rawBytes: end };
}

/** The longest suffix of `bytes` that is at most `maxBytes` of UTF-8, never splitting a character. */
function utf8Tail(bytes: Buffer, maxBytes: number): string {
  let start = Math.max(0, bytes.length - maxBytes);
  while (start < bytes.length && isContinuation(bytes[start]!)) start++;
  const text = bytes.subarray(start).toString('utf8');
  if (Buffer.byteLength(text) <= maxBytes) return text;
  return utf8Tail(Buffer.from(text, 'utf8'), maxBytes);
}

function isContinuation(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}
