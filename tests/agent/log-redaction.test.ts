// Secrets in log lines: the values of secret-named fields, and tokens, tickets, keys and PINs inside any text.
import { describe, expect, it } from 'vitest';
import { redactLogFields, redactLogText } from '../../src/agent/core/log-redaction';
import { createConsoleLogger } from '../../src/agent/service/console-logger';

const TOKEN = `atwe_${'A'.repeat(43)}`;
const JWS = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJkZXZpY2UifQ.c2lnbmF0dXJl';

describe('log redaction', () => {
  it.each([
    [`automated enrollment with token ${TOKEN} failed`, 'automated enrollment with token atwe_[redacted] failed'],
    ['GET /x with Authorization: Bearer abc.def-ghi', 'GET /x with Authorization: Bearer [redacted]'],
    [`ticket ${JWS} refused`, 'ticket [redacted token] refused'],
    ['open http://127.0.0.1:4000/#token=q0ZY06M6BsWe', 'open http://127.0.0.1:4000/#token=[redacted]'],
    ['-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY----- left', '[redacted private key] left'],
    ['device 0ed2dd06 checked in, sha256 9f86d081884c7d65', 'device 0ed2dd06 checked in, sha256 9f86d081884c7d65'],
  ])('%s', (text, redacted) => {
    expect(redactLogText(text)).toBe(redacted);
  });

  it('blanks secret-named fields whatever they hold, and redacts the others\' text, without changing what it was given', () => {
    const fields = { pin: '12345678', deviceToken: 'x', ticket: 'y', clientSecret: 'z', reason: `server said 401 for ${TOKEN}`, deviceId: 'd1', count: 3, pinned: true };
    const copy = { ...fields };
    expect(redactLogFields(fields)).toEqual({ pin: '[redacted]', deviceToken: '[redacted]', ticket: '[redacted]', clientSecret: '[redacted]', reason: 'server said 401 for atwe_[redacted]', deviceId: 'd1', count: 3, pinned: true });
    expect(fields).toEqual(copy);
    expect(redactLogFields(undefined)).toBeUndefined();
  });

  it('is applied by the console logger', () => {
    const lines: string[] = [];
    createConsoleLogger((line) => lines.push(line)).warn(`enrolling with ${TOKEN}`, { pin: '1234' });
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', message: 'enrolling with atwe_[redacted]', pin: '[redacted]' });
  });
});
