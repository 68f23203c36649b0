// Server-sent events as the agent's HTTP transports send them, read back: the bytes of a stream in, each frame's event
// name and data out. One reader for the browser's bridge client and the daemon socket's client.

export interface SseFrame {
  /** The frame's `event:` (SSE's default `message` when unnamed). */
  event: string;
  /** Its `data:` lines, joined. */
  data: string;
}

/** Decodes a stream's chunks (a frame or a character may end inside one) into whole frames; keep-alive comments yield none. */
export class SseFrameDecoder {
  private readonly decoder = new TextDecoder();
  private buffered = '';
  /** A CR that ended the last chunk: the LF of a CRLF may start the next, and the pair is one line end. */
  private carriedCr = false;

  /** The frames `chunk` completes, in order. */
  push(chunk: Uint8Array): SseFrame[] {
    let text = (this.carriedCr ? '\r' : '') + this.decoder.decode(chunk, { stream: true });
    this.carriedCr = text.endsWith('\r');
    if (this.carriedCr) text = text.slice(0, -1);
    this.buffered += text.replace(/\r\n?/g, '\n');
    const frames: SseFrame[] = [];
    let end = this.buffered.indexOf('\n\n');
    while (end !== -1) {
      const frame = parseFrame(this.buffered.slice(0, end));
      this.buffered = this.buffered.slice(end + 2);
      if (frame !== null) frames.push(frame);
      end = this.buffered.indexOf('\n\n');
    }
    return frames;
  }

  /** Characters held of a frame not yet complete, for a cap on how large one may grow. */
  get pendingChars(): number {
    return this.buffered.length;
  }
}

function parseFrame(frame: string): SseFrame | null {
  const lines = frame.split('\n');
  const field = (name: string): string[] => lines.filter((line) => line.startsWith(`${name}:`)).map((line) => line.slice(name.length + 1).replace(/^ /, ''));
  const data = field('data');
  return data.length > 0 ? { event: field('event').at(-1) ?? 'message', data: data.join('\n') } : null;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
