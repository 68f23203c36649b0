// JSON and plain-text body parsers that check the raw bytes are UTF-8 before decoding, so no body is silently changed (issue 9).
import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './http-errors';

type Done = (error: Error | null, body?: unknown) => void;

/** For each lead byte range: the range the byte after it must be in (RFC 3629 §4: no overlongs, surrogates or > U+10FFFF). */
const LEADS: { from: number; to: number; length: number; second: [number, number] }[] = [
  { from: 0xc2, to: 0xdf, length: 2, second: [0x80, 0xbf] },
  { from: 0xe0, to: 0xe0, length: 3, second: [0xa0, 0xbf] },
  { from: 0xe1, to: 0xec, length: 3, second: [0x80, 0xbf] },
  { from: 0xed, to: 0xed, length: 3, second: [0x80, 0x9f] },
  { from: 0xee, to: 0xef, length: 3, second: [0x80, 0xbf] },
  { from: 0xf0, to: 0xf0, length: 4, second: [0x90, 0xbf] },
  { from: 0xf1, to: 0xf3, length: 4, second: [0x80, 0xbf] },
  { from: 0xf4, to: 0xf4, length: 4, second: [0x80, 0x8f] },
];

/** Length of the well-formed UTF-8 sequence starting at `i`, or 0 when the bytes there are not one. */
function sequenceAt(bytes: Buffer, i: number): number {
  const lead = bytes[i]!;
  if (lead < 0x80) return 1;
  const rule = LEADS.find((r) => lead >= r.from && lead <= r.to);
  if (rule === undefined || i + rule.length > bytes.length) return 0;
  const second = bytes[i + 1]!;
  if (second < rule.second[0] || second > rule.second[1]) return 0;
  for (let k = 2; k < rule.length; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return 0;
  return rule.length;
}

/** Offset of the first byte that does not start a well-formed UTF-8 sequence, or -1 when all of `bytes` is UTF-8. */
export function firstInvalidUtf8Offset(bytes: Buffer): number {
  if (isUtf8(bytes)) return -1;
  for (let i = 0; i < bytes.length; ) {
    const length = sequenceAt(bytes, i);
    if (length === 0) return i;
    i += length;
  }
  return -1;
}

function checkedText(bytes: Buffer, contentType: string | undefined): string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new HttpError(415, 'unsupported_media_type', `The server reads only UTF-8 bodies, not ${charset}; convert the body to UTF-8 and send charset=utf-8.`);
  }
  const offset = firstInvalidUtf8Offset(bytes);
  if (offset >= 0) {
    const byte = bytes[offset]!.toString(16).padStart(2, '0');
    throw new HttpError(400, 'bad_request', `The request body is not valid UTF-8 at byte ${offset} (0x${byte}); save it as UTF-8 and send it again.`);
  }
  return bytes.toString('utf8');
}

/** Replaces Fastify's JSON and text parsers, which decode invalid UTF-8 to U+FFFD, with ones that refuse it with a 400. */
export function installUtf8BodyParsers(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser(['application/json', 'text/plain']);
  const parser =
    (then: (request: FastifyRequest, text: string, done: Done) => void) =>
    (request: FastifyRequest, body: Buffer, done: Done) => {
      let text: string;
      try {
        text = checkedText(body, request.headers['content-type']);
      } catch (error) {
        done(error as HttpError, undefined);
        return;
      }
      then(request, text, done);
    };
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, parser(parseJson));
  app.addContentTypeParser('text/plain', { parseAs: 'buffer' }, parser((_request, text, done) => done(null, text)));
}
