// The app's and the daemon's Logger: electron-log's file transport, where Mac administrators look for logs, rotated by
// size, secrets redacted. electron-log's Node flavour: it needs no renderer, registers no IPC channel, and runs the
// same under plain Node, so it is tested on real files.
import electronLog from 'electron-log/node.js';
import path from 'node:path';
import type { LogFields, Logger } from '../agent/core/ports';
import { redactLogFields, redactLogText } from '../agent/core/log-redaction';

/** Where the root daemon logs (the uninstaller removes the folder). */
export const DAEMON_LOG_FILE = '/Library/Logs/Atwork/daemon.log';
/** A log file grows to this before it becomes `<name>.old.log` and a new one starts: two files at most. */
export const LOG_FILE_MAX_BYTES = 5 * 1024 * 1024;

/** The app's log in the user's log folder: ~/Library/Logs/Atwork/app.log on a Mac (Electron's `logs` path). */
export function appLogFile(logsFolder: string): string {
  return path.join(logsFolder, 'app.log');
}

export interface FileLoggerOptions {
  file: string;
  maxBytes?: number;
  /** Also to stderr, as a development run shows it; off in the packaged app. */
  console?: boolean;
}

export function createFileLogger(options: FileLoggerOptions): Logger {
  const log = electronLog.create({ logId: `atwork:${options.file}` });
  log.transports.file.resolvePathFn = () => options.file;
  log.transports.file.maxSize = options.maxBytes ?? LOG_FILE_MAX_BYTES;
  log.transports.file.format = '[{y}-{m}-{d} {h}:{i}:{s}.{ms}] [{level}] {text}';
  log.transports.console.level = options.console === true ? 'info' : false;
  // Not a renderer or a remote server: nothing of these (the IPC transport exists only in a process with an IPC channel).
  const { ipc, remote } = log.transports as Partial<typeof log.transports>;
  if (ipc) ipc.level = false;
  if (remote) remote.level = false;
  const line = (message: string, fields?: LogFields): string => {
    const redacted = redactLogFields(fields);
    return redacted === undefined || Object.keys(redacted).length === 0 ? redactLogText(message) : `${redactLogText(message)} ${JSON.stringify(redacted)}`;
  };
  return {
    info: (message, fields) => log.info(line(message, fields)),
    warn: (message, fields) => log.warn(line(message, fields)),
    error: (message, fields) => log.error(line(message, fields)),
  };
}
