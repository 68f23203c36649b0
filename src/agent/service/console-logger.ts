// The Node Logger: one JSON line per entry on stderr, so stdout stays free for command output; secrets redacted.
import type { LogFields, Logger } from '../core/ports';
import { redactLogFields, redactLogText } from '../core/log-redaction';

export function createConsoleLogger(write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const log = (level: string, message: string, fields?: LogFields) =>
    write(`${JSON.stringify({ at: new Date().toISOString(), level, message: redactLogText(message), ...redactLogFields(fields) })}\n`);
  return {
    info: (message, fields) => log('info', message, fields),
    warn: (message, fields) => log('warn', message, fields),
    error: (message, fields) => log('error', message, fields),
  };
}
