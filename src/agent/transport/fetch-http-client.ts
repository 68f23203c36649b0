// The Node HttpClient: fetch with a deadline over the whole exchange and a hard cap on the bytes it reads, and streamed downloads.
import { HttpFailure, type DownloadRequest, type DownloadResponse, type HttpClient, type HttpRequest, type HttpResponse } from '../core/ports';

export class FetchHttpClient implements HttpClient {
  async request(request: HttpRequest): Promise<HttpResponse> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, request.timeoutMs);
    try {
      const response = await fetch(request.url, {
        method: request.method,
        headers: request.body === undefined ? request.headers : { ...request.headers, 'content-type': 'application/json' },
        body: request.body,
        // A device call never follows a redirect: the signed blob path and the device token are for this server only.
        redirect: 'error',
        signal: controller.signal,
      });
      const body = await readCapped(response, request.maxResponseBytes, controller);
      return { status: response.status, body, headers: Object.fromEntries(response.headers) };
    } catch (error) {
      if (error instanceof HttpFailure) throw error;
      if (timedOut) throw new HttpFailure('timeout', `no response from ${describe(request)} within ${Math.round(request.timeoutMs / 1000)} s`);
      throw new HttpFailure('network', `could not reach ${describe(request)}: ${causeOf(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }

  async download(request: DownloadRequest): Promise<DownloadResponse> {
    const controller = new AbortController();
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    // Re-armed by every chunk: a stalled server is cut off, a slow but steady one is not.
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, request.idleTimeoutMs);
    };
    const failure = (error: unknown): HttpFailure => {
      if (error instanceof HttpFailure) return error;
      if (timedOut) return new HttpFailure('timeout', `${describe(request)} sent nothing for ${Math.round(request.idleTimeoutMs / 1000)} s`);
      return new HttpFailure('network', `the download from ${describe(request)} broke off: ${causeOf(error)}`);
    };
    const cancel = (): void => {
      clearTimeout(timer);
      controller.abort();
    };
    arm();
    let response: Response;
    try {
      response = await fetch(request.url, { method: 'GET', headers: request.headers, redirect: 'error', signal: controller.signal });
    } catch (error) {
      cancel();
      throw failure(error);
    }
    const declared = Number(response.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > request.maxBytes) {
      cancel();
      throw new HttpFailure('too_large', `response declares ${declared} bytes, more than the ${request.maxBytes} allowed`);
    }
    async function* chunks(): AsyncGenerator<Buffer> {
      let received = 0;
      const reader = response.body?.getReader();
      try {
        for (;;) {
          const next = await reader?.read();
          if (next === undefined || next.done) return;
          arm();
          received += next.value.byteLength;
          if (received > request.maxBytes) throw new HttpFailure('too_large', `response is larger than the ${request.maxBytes} bytes allowed`);
          yield Buffer.from(next.value);
        }
      } catch (error) {
        throw failure(error);
      } finally {
        cancel();
      }
    }
    return { status: response.status, headers: Object.fromEntries(response.headers), body: chunks(), cancel };
  }
}

/** Streams the body and counts: more than `maxBytes` aborts the transfer instead of buffering it. */
async function readCapped(response: Response, maxBytes: number, controller: AbortController): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    controller.abort();
    throw new HttpFailure('too_large', `response declares ${declared} bytes, more than the ${maxBytes} allowed`);
  }
  if (response.body === null) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let received = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      controller.abort();
      await reader.cancel().catch(() => undefined);
      throw new HttpFailure('too_large', `response is larger than the ${maxBytes} bytes allowed`);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

function describe(request: { url: string }): string {
  const url = new URL(request.url);
  return `${url.origin}${url.pathname}`;
}

/** fetch wraps the interesting part ("connect ECONNREFUSED ...") in `cause`. */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
