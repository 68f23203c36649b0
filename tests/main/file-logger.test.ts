// The app's and the daemon's log file (electron-log's file transport) on a real file: one line per entry with its
// level and fields, secrets redacted, and rotated to <name>.old.log once it reaches its size.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appLogFile, createFileLogger } from '../../src/main/file-logger';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'atwork-logs-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the file logger', () => {
  it('writes one line per entry with its level and fields, secrets redacted', async () => {
    const file = appLogFile(path.join(dir, 'Logs', 'Atwork'));
    expect(file).toBe(path.join(dir, 'Logs', 'Atwork', 'app.log'));
    const logger = createFileLogger({ file });
    logger.info('enrolled', { serverUrl: 'https://mdm.example.com', deviceId: 'd1' });
    logger.error(`enrollment with atwe_${'x'.repeat(43)} refused`, { pin: '12345678' });
    logger.warn('no fields');
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines.map((line) => line.replace(/^\[[^\]]+\] /, ''))).toEqual([
      '[info]  enrolled {"serverUrl":"https://mdm.example.com","deviceId":"d1"}',
      '[error] enrollment with atwe_[redacted] refused {"pin":"[redacted]"}',
      '[warn]  no fields',
    ]);
    expect(lines[0]).toMatch(/^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}\] /);
  });

  it('rotates by size: the full file becomes app.old.log and a new one starts', async () => {
    const file = path.join(dir, 'rotating', 'app.log');
    const logger = createFileLogger({ file, maxBytes: 1000 });
    for (let i = 0; i < 40; i++) logger.info(`entry ${i}`, { padding: 'x'.repeat(40) });
    const old = path.join(dir, 'rotating', 'app.old.log');
    expect(existsSync(old)).toBe(true);
    expect((await stat(file)).size).toBeLessThanOrEqual(1000);
    expect(await readFile(file, 'utf8')).toContain('entry 39');
    expect(await readFile(old, 'utf8')).not.toContain('entry 39');
  });
});
