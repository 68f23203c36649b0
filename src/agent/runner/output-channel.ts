// One output stream of a script: a Unix socket pair whose agent end reads into one reused buffer, so output of any size costs no memory.
import { connect, createServer, type Server, type Socket } from 'node:net';

/** Bytes read at once per stream; also all the memory a stream costs the agent besides its capture. */
const READ_BUFFER_BYTES = 64 * 1024;

/** sun_path is 104 bytes on macOS (108 on Linux), including the final NUL. */
const MAX_SOCKET_PATH_BYTES = 103;

/**
 * Why not child_process pipes: Node hands every read to JavaScript in a fresh 64 KB buffer, and the garbage of a
 * fast writer grows the agent by tens of MB before V8 collects it. `onread` makes the socket fill one buffer instead.
 * (libuv's "pipes" to a child are socket pairs anyway, so the script sees the same kind of stdout.)
 */
export class OutputChannel {
  /** Resolves once no process holds the script's end any more, or the channel was cut. */
  readonly closed: Promise<void>;

  private constructor(
    private readonly reader: Socket,
    private childEndSocket: Socket | null,
  ) {
    this.closed = new Promise((resolve) => reader.once('close', () => resolve()));
    // A reset by the script's side ends the stream like a close; 'close' follows.
    reader.on('error', () => undefined);
  }

  /**
   * Opens a channel through a socket at `socketPath`, which must be in a folder only the agent can enter; the path is
   * gone again when this resolves. Every chunk goes to `onChunk`, which must copy what it keeps.
   */
  static async open(socketPath: string, onChunk: (chunk: Buffer) => void): Promise<OutputChannel> {
    if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
      throw new Error(`the script working folder path ${socketPath} is too long for an output socket; use a shorter temp folder`);
    }
    const server = createServer({ pauseOnConnect: true });
    try {
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socketPath, resolve));
      const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
      const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
      const reader = connect({ path: socketPath, onread: { buffer, callback: (bytes: number) => (onChunk(buffer.subarray(0, bytes)), true) } });
      await new Promise<void>((resolve, reject) => reader.once('connect', resolve).once('error', reject));
      const childEnd = await accepted;
      return new OutputChannel(reader, childEnd);
    } finally {
      closeListener(server);
    }
  }

  /** The end to give the script as its stdout or stderr; call releaseChildEnd() once the script is spawned. */
  get childEnd(): Socket {
    if (this.childEndSocket === null) throw new Error('the script end of this output channel was already released');
    return this.childEndSocket;
  }

  /** Closes the agent's copy of the script's end, so the channel closes when the script's processes close theirs. */
  releaseChildEnd(): void {
    this.childEndSocket?.destroy();
    this.childEndSocket = null;
  }

  /** Stops reading at once; a process still writing gets EPIPE. */
  cut(): void {
    this.releaseChildEnd();
    this.reader.destroy();
  }

  get isClosed(): boolean {
    return this.reader.closed;
  }
}

/** Stops listening, which removes the socket file; accepted connections live on. */
function closeListener(server: Server): void {
  if (server.listening) server.close();
}
