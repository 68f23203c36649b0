// The streamed package download on its own: a server that ignores ranges, answers the wrong part, stalls, or declares too much.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { downloadPackage, fileSha256, PackageRefusedError } from '../../src/agent/apps/package-download';
import { HttpFailure } from '../../src/agent/core/ports';
import { systemClock } from '../../src/agent/service/system-clock';
import { DeviceApiClient, DeviceApiError } from '../../src/agent/transport/device-api-client';
import { FetchHttpClient } from '../../src/agent/transport/fetch-http-client';
import { generateP256PrivateKey } from '../../src/shared/node/p256-key';
import { sha256Hex } from '../../src/shared/node/blob-cipher';
import { recordingLogger, tempDir } from './agent-test-kit';

const PACKAGE = randomBytes(64 * 1024);
const PATH = '/api/device/v1/catalog/apps/app-notes/package';
const closing: (() => void)[] = [];
afterEach(() => closing.splice(0).forEach((close) => close()));

/** A server whose every answer `handle` writes; resolves with its URL and the ranges it was asked for. */
async function serve(handle: (request: IncomingMessage, response: ServerResponse, call: number) => void): Promise<{ url: string; ranges: (string | undefined)[] }> {
  const ranges: (string | undefined)[] = [];
  const server = createServer((request, response) => {
    ranges.push(request.headers.range);
    handle(request, response, ranges.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closing.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, ranges };
}

async function download(url: string, options: { idleTimeoutMs?: number } = {}) {
  const file = join(await tempDir(), 'package.pkg');
  const api = new DeviceApiClient(new FetchHttpClient(), systemClock, url, generateP256PrivateKey());
  const seen: number[] = [];
  const done = downloadPackage({ api, deviceId: 'device-1', path: PATH, file, size: PACKAGE.length, onBytes: (n) => seen.push(n), clock: systemClock, logger: recordingLogger(), resumeDelayMs: 5, ...options });
  return { file, seen, done };
}

/** Writes the first `bytes` of the package and breaks the connection. */
function breakAfter(response: ServerResponse, bytes: number): void {
  response.writeHead(200, { 'content-type': 'application/octet-stream' });
  response.write(PACKAGE.subarray(0, bytes));
  setTimeout(() => response.socket?.destroy(), 30);
}

describe('downloadPackage', () => {
  it('starts over when a server answers the resumed download with the whole package', async () => {
    const { url, ranges } = await serve((_request, response, call) => (call === 1 ? breakAfter(response, 20_000) : response.end(PACKAGE)));
    const { file, seen, done } = await download(url);
    await done;
    expect(ranges).toEqual([undefined, 'bytes=20000-']);
    expect(seen).toContain(0);
    expect(await fileSha256(file)).toBe(sha256Hex(PACKAGE));
    expect((await readFile(file)).length).toBe(PACKAGE.length);
  });

  it('refuses a resumed download answered with another part of the package', async () => {
    const { url } = await serve((_request, response, call) => {
      if (call === 1) return breakAfter(response, 20_000);
      response.writeHead(206, { 'content-range': `bytes 0-${PACKAGE.length - 1}/${PACKAGE.length}` }).end(PACKAGE);
    });
    await expect((await download(url)).done).rejects.toBeInstanceOf(PackageRefusedError);
  });

  it('breaks off a server that stalls, resumes, and gives up after five tries without a byte', async () => {
    const { url, ranges } = await serve((_request, response) => response.writeHead(200).write(''));
    const failure = await (await download(url, { idleTimeoutMs: 100 })).done.catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(HttpFailure);
    expect(failure).toMatchObject({ code: 'timeout' });
    expect(ranges).toHaveLength(6);
  });

  it('refuses at once a package that declares more bytes than signed, and passes on a refusal with its status', async () => {
    const { url, ranges } = await serve((_request, response) => response.writeHead(200, { 'content-length': String(PACKAGE.length + 1) }).end(Buffer.concat([PACKAGE, Buffer.from('x')])));
    await expect((await download(url)).done).rejects.toMatchObject({ code: 'too_large' });
    expect(ranges).toHaveLength(1);
    const refused = await serve((_request, response) => response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found","message":"No such package."}'));
    const error = await (await download(refused.url)).done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceApiError);
    expect(error).toMatchObject({ status: 404, serverCode: 'not_found', message: 'download package: server said 404: No such package.' });
  });
});
