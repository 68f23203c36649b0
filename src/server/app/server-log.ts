// The server's structured log (DESIGN.md §9): pino JSON lines to stdout and a rotating file in the data folder, secrets redacted.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import pinoRoll from 'pino-roll';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Folder of the data folder that holds the rotated log files (`server.1.log`, `server.2.log`, ...). */
export const LOG_DIR = 'logs';
/** One file grows to this before the next is started; LOG_FILES_KEPT older files are kept. */
const LOG_FILE_SIZE = '10m';
const LOG_FILES_KEPT = 5;

/**
 * Paths pino blanks in every line: bearer tokens, PINs, passwords, keys, wherever a log call puts them.
 *
 * Request lines carry no headers or bodies at all (see logRequests); this catches what an error object or a careless
 * log call would otherwise leak.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  '*.authorization',
  'pin',
  '*.pin',
  'token',
  '*.token',
  'password',
  '*.password',
  'privateKey',
  '*.privateKey',
  'masterKey',
  '*.masterKey',
];

export interface ServerLogOptions {
  level?: LogLevel;
  /** Write to `<dataDir>/logs/` as well as to the stream (default: yes when a level above silent is set). */
  toFile?: boolean;
  /** Where lines go besides the file; stdout by default, null for the file alone. */
  stream?: Writable | null;
}

/** The server's logger; silent unless a level is given, so tests and embedding code stay quiet by default. */
export async function createServerLog(dataDir: string, options: ServerLogOptions = {}): Promise<Logger> {
  const level = options.level ?? 'silent';
  const redact = { paths: REDACTED_PATHS, censor: '[redacted]' };
  if (level === 'silent') return pino({ level, redact });
  const streams: pino.StreamEntry[] = options.stream === null ? [] : [{ level, stream: options.stream ?? process.stdout }];
  if (options.toFile ?? true) {
    const dir = path.join(dataDir, LOG_DIR);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const file = await pinoRoll({ file: path.join(dir, 'server'), extension: '.log', size: LOG_FILE_SIZE, limit: { count: LOG_FILES_KEPT }, mkdir: true, mode: 0o600 });
    // A full disk must not take the server down through its own log: say so once on stderr and keep serving.
    let warned = false;
    file.on('error', (error: Error) => {
      if (!warned) process.stderr.write(`atwork-server: cannot write the log file in ${dir} (${error.message}); logging to stdout only until it can.\n`);
      warned = true;
    });
    streams.push({ level, stream: file });
  }
  return pino({ level, redact, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, pino.multistream(streams));
}

/** One line per request when its answer is sent: method, route pattern, path, status, time; never headers or bodies. */
export function logRequests(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    // request.log already carries the request id.
    const fields = {
      method: request.method,
      route: request.routeOptions.url ?? null,
      path: request.url.split('?')[0],
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (reply.statusCode >= 500) request.log.warn(fields, 'request answered with a server error');
    else request.log.info(fields, 'request');
  });
}
