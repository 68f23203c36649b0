// Clients that hold the server open: trickled bodies, unauthenticated uploads, idle floods, and a shutdown that drains within its deadline.
import { connect, type Socket } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type AtworkServer } from '../../src/server/app/server-app';
import { makeTempDir, removeDir } from './server-fixture';

let server: AtworkServer | null = null;
let root: string;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await server?.close();
  server = null;
  if (root) await removeDir(root);
});

async function start(limits: Parameters<typeof startServer>[0]['connectionLimits']): Promise<{ url: URL }> {
  root = await makeTempDir();
  server = await startServer({ dataDir: path.join(root, 'data'), connectionLimits: limits });
  return { url: new URL(await server.listen()) };
}

/** Opens a raw connection and sends `head`; resolves with everything the server sent until it closed the connection. */
function rawRequest(url: URL, head: string): { socket: Socket; answer: Promise<{ text: string; closedAfterMs: number }> } {
  const socket = connect(Number(url.port), url.hostname);
  sockets.push(socket);
  const opened = Date.now();
  let text = '';
  socket.on('data', (chunk) => (text += chunk.toString()));
  socket.on('error', () => undefined);
  socket.write(head);
  return { socket, answer: new Promise((resolve) => socket.once('close', () => resolve({ text, closedAfterMs: Date.now() - opened }))) };
}

function trickle(socket: Socket, everyMs: number): () => void {
  const timer = setInterval(() => socket.writable && socket.write('a'), everyMs);
  return () => clearInterval(timer);
}

describe('connection limits', () => {
  it('cuts a trickled body at the request timeout', async () => {
    const { url } = await start({ requestTimeoutMs: 1500 });
    const { socket, answer } = rawRequest(url, `POST /api/device/v1/enroll HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{`);
    const stop = trickle(socket, 200);
    const { text, closedAfterMs } = await answer;
    stop();
    expect(text).toMatch(/^HTTP\/1\.1 408/);
    expect(closedAfterMs).toBeLessThan(4000);
  });

  it('gives an upload route its own, longer deadline, and still cuts it there', async () => {
    const { url } = await start({ requestTimeoutMs: 1000, uploadTimeoutMs: 3000 });
    const token = server!.createdAdminToken!;
    const created = await server!.app.inject({
      method: 'POST',
      url: '/api/admin/v1/apps',
      headers: { authorization: `Bearer ${token}` },
      payload: { name: 'Notes', bundleId: 'com.example.notes', version: '1.0', publisher: 'Example', category: 'Productivity', type: 'pkg', distribution: { kind: 'everyone' } },
    });
    const { id } = created.json<{ id: string }>();
    const upload = rawRequest(
      url,
      `PUT /api/admin/v1/apps/${id}/package HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n`,
    );
    const json = rawRequest(url, `POST /api/admin/v1/users HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`);
    const stops = [trickle(upload.socket, 100), trickle(json.socket, 100)];
    const cut = await json.answer;
    expect(cut.text).toMatch(/^HTTP\/1\.1 408/);
    expect(cut.closedAfterMs).toBeLessThan(2500);
    expect(upload.socket.destroyed).toBe(false);
    const { text, closedAfterMs } = await upload.answer;
    stops.forEach((stop) => stop());
    expect(text).toMatch(/^HTTP\/1\.1 408/);
    expect(closedAfterMs).toBeGreaterThanOrEqual(2900);
    expect(closedAfterMs).toBeLessThan(5500);
  });

  it('answers an unauthenticated upload at once and closes the connection instead of reading the body', async () => {
    const { url } = await start({});
    const { socket, answer } = rawRequest(url, `POST /api/admin/v1/scripts HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`);
    const stop = trickle(socket, 100);
    const { text, closedAfterMs } = await answer;
    stop();
    expect(text).toMatch(/^HTTP\/1\.1 401/);
    expect(text.toLowerCase()).toContain('connection: close');
    expect(text).toContain('"error":"unauthorized"');
    expect(closedAfterMs).toBeLessThan(1500);
  });

  it('refuses connections past the cap and serves again once idle ones time out', async () => {
    const { url } = await start({ maxConnections: 20, headersTimeoutMs: 1000, requestTimeoutMs: 1000, idleSocketTimeoutMs: 1500 });
    const idle = Array.from({ length: 60 }, () => {
      const socket = connect(Number(url.port), url.hostname);
      socket.on('error', () => undefined);
      sockets.push(socket);
      return socket;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(server!.app.server.listening).toBe(true);
    const open = await new Promise<number>((resolve) => server!.app.server.getConnections((_e, n) => resolve(n)));
    expect(open).toBeLessThanOrEqual(20);
    // The idle ones are dropped by the header timeout; then an honest client is served.
    await new Promise((r) => setTimeout(r, 2500));
    expect(idle.filter((s) => !s.destroyed).length).toBe(0);
    const response = await fetch(`${url.origin}/healthz`);
    expect(response.status).toBe(200);
  });

  it('drains on close: the request in flight finishes, new ones get 503 in the project format, a trickler is cut at the deadline', async () => {
    const { url } = await start({ drainDeadlineMs: 1500 });
    const token = server!.createdAdminToken!;
    // In flight: a keep-alive connection with a request whose body is still arriving.
    const trickler = rawRequest(url, `POST /api/admin/v1/users HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`);
    const stop = trickle(trickler.socket, 100);
    // A kept-alive connection that sends its next request during the drain.
    const keptAlive = connect(Number(url.port), url.hostname);
    sockets.push(keptAlive);
    let keptText = '';
    keptAlive.on('data', (c) => (keptText += c.toString()));
    keptAlive.write(`GET /healthz HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
    await new Promise((r) => setTimeout(r, 200));
    expect(keptText).toMatch(/^HTTP\/1\.1 200/);
    keptText = '';

    const closing = Date.now();
    const closed = server!.close().then(() => Date.now() - closing);
    await new Promise((r) => setTimeout(r, 200));
    keptAlive.write(`GET /api/admin/v1/users HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${token}\r\n\r\n`);
    const closedAfterMs = await closed;
    server = null;
    stop();
    expect(keptText).toMatch(/^HTTP\/1\.1 503/);
    expect(keptText).toContain('"error":"shutting_down"');
    expect(closedAfterMs).toBeGreaterThanOrEqual(1400);
    expect(closedAfterMs).toBeLessThan(3500);
    expect((await trickler.answer).closedAfterMs).toBeLessThan(4000);
  });
});
