// Endless data and slow retrieval (issue 4): the blob download stops at the signed size and at its total deadline, over real HTTP.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobDeadlineMs, BLOB_MAX_DEADLINE_MS, DeviceApiClient, DeviceApiError } from '../../src/agent/transport/device-api-client';
import { FetchHttpClient } from '../../src/agent/transport/fetch-http-client';
import { generateP256PrivateKey } from '../../src/shared/node/p256-key';
import { systemClock } from '../../src/agent/service/system-clock';

const SIGNED_SIZE = 64 * 1024;
const DEADLINE_MS = 600;
const CHUNK = Buffer.alloc(64 * 1024, 0x41);
/** Upper bound of any endless response below, so a broken client cannot make the test server run forever. */
const SERVER_SEND_LIMIT = 256 * 1024 * 1024;

describe('blob download limits', () => {
  let server: Server;
  let url: string;
  const sentBytes = new Map<string, number>();

  const endless = (path: string, res: ServerResponse) => {
    let sent = 0;
    const pump = () => {
      while (sent < SERVER_SEND_LIMIT && !res.destroyed) {
        sent += CHUNK.length;
        sentBytes.set(path, sent);
        if (!res.write(CHUNK)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? '';
      if (path.endsWith('/exact')) return void res.end(Buffer.alloc(SIGNED_SIZE, 1));
      if (path.endsWith('/endless')) return endless(path, res);
      if (path.endsWith('/declared-huge')) {
        res.writeHead(200, { 'content-length': String(SIGNED_SIZE * 1000) });
        return endless(path, res);
      }
      if (path.endsWith('/stall')) {
        res.writeHead(200);
        return void res.write(Buffer.alloc(10));
      }
      if (path.endsWith('/trickle')) {
        res.writeHead(200);
        // One byte every 20 ms keeps the connection alive forever: only a total deadline stops it.
        const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(Buffer.alloc(1))), 20);
        return;
      }
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const client = () =>
    new DeviceApiClient(new FetchHttpClient(), systemClock, url, generateP256PrivateKey(), { blobDeadlineMs: () => DEADLINE_MS });
  const download = async (name: string) => {
    const started = performance.now();
    try {
      const blob = await client().downloadBlob('device', `/api/device/v1/blobs/${name}`, SIGNED_SIZE);
      return { blob, failure: null, ms: performance.now() - started };
    } catch (error) {
      if (!(error instanceof DeviceApiError)) throw error;
      return { blob: null, failure: error.failure?.code ?? null, ms: performance.now() - started };
    }
  };

  it('returns a blob of exactly the signed size', async () => {
    const outcome = await download('exact');
    expect(outcome.failure).toBeNull();
    expect(outcome.blob?.length).toBe(SIGNED_SIZE);
  });

  it('aborts an endless body just past the signed size', async () => {
    const outcome = await download('endless');
    expect(outcome.failure).toBe('too_large');
    // The server may have pushed a few socket buffers ahead, never anything near its endless supply.
    expect(sentBytes.get('/api/device/v1/blobs/endless')).toBeLessThan(16 * 1024 * 1024);
  });

  it('refuses a body that declares more than the signed size before reading it', async () => {
    expect((await download('declared-huge')).failure).toBe('too_large');
  });

  it('gives up on a server that stalls after the headers at the deadline', async () => {
    const outcome = await download('stall');
    expect(outcome.failure).toBe('timeout');
    expect(outcome.ms).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
    expect(outcome.ms).toBeLessThan(DEADLINE_MS + 2000);
  });

  it('gives up on a server that trickles bytes forever (slow retrieval) at the total deadline', async () => {
    const outcome = await download('trickle');
    expect(outcome.failure).toBe('timeout');
    expect(outcome.ms).toBeLessThan(DEADLINE_MS + 2000);
  });

  it('refuses a blob path outside the blob API before any request', async () => {
    await expect(client().downloadBlob('device', '/api/admin/v1/scripts', SIGNED_SIZE)).rejects.toThrow(/not on this server's blob API/);
  });

  it('scales the deadline with the signed size within a hard maximum', () => {
    expect(blobDeadlineMs(1024)).toBeLessThan(20_000);
    expect(blobDeadlineMs(1024 * 1024)).toBeGreaterThan(blobDeadlineMs(1024));
    expect(blobDeadlineMs(4 * 1024 * 1024)).toBe(BLOB_MAX_DEADLINE_MS);
  });
});
