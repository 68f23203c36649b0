// The runner's output on real processes: capped head and tail, full counts and hashes, valid UTF-8, bounded memory.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ScriptRunOutcome } from '../../src/agent/runner/script-runner';
import { realRunner, runRequest } from './runner-test-kit';

const MARKER = /\n…\[truncated (\d+) bytes\]…\n/;

function expectValidUtf8Within(result: ScriptRunOutcome, budget: number): void {
  // A lone surrogate would not survive the round trip through UTF-8.
  for (const text of [result.stdout, result.stderr]) expect(Buffer.from(text, 'utf8').toString('utf8')).toBe(text);
  expect(Buffer.byteLength(result.stdout) + Buffer.byteLength(result.stderr)).toBeLessThanOrEqual(budget);
}

describe('ScriptRunner output', () => {
  it('streams 300 MB through a 1 KB cap with exact counts and hashes and bounded memory', async () => {
    const { runner } = await realRunner();
    const size = 300 * 1024 * 1024;
    // Warm up so the baseline includes what any run allocates once (sockets, code paths).
    await runner.run(runRequest('head -c 1000000 /dev/zero'));
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
    const started = performance.now();
    let result: ScriptRunOutcome;
    try {
      result = await runner.run(runRequest(`printf START; head -c ${size} /dev/zero | tr '\\0' x; printf END; printf 'err-start' >&2; head -c ${size / 10} /dev/zero >&2; printf 'err-end' >&2`, { maxRunTimeSeconds: 120 }));
    } finally {
      clearInterval(sampler);
    }
    const seconds = (performance.now() - started) / 1000;
    expect(result).toMatchObject({ status: 'completed', stdoutBytes: size + 8, stderrBytes: size / 10 + 9 + 7, stdoutTruncated: true, stderrTruncated: true });
    const expected = createHash('sha256').update('START');
    const block = Buffer.alloc(1024 * 1024, 'x');
    for (let i = 0; i < size / block.length; i++) expected.update(block);
    expect(result.stdoutSha256).toBe(expected.update('END').digest('hex'));
    expect(result.stdout.startsWith('STARTxxx')).toBe(true);
    expect(result.stdout.endsWith('xxxEND')).toBe(true);
    // NUL makes stderr binary, so it travels as base64 of its bytes.
    expect(result.stderrEncoding).toBe('base64');
    const stderr = Buffer.from(result.stderr, 'base64').toString('latin1');
    expect(stderr.startsWith('err-start')).toBe(true);
    expect(stderr.endsWith('\0err-end')).toBe(true);
    expectValidUtf8Within(result, 1024);
    // Retaining the output would grow the agent by 330 MB, and per-read buffers left to the GC by tens of MB.
    const growthMb = (peak - baseline) / 1024 / 1024;
    expect(growthMb).toBeLessThan(24);
    expect(seconds).toBeLessThan(60);
  });

  it.each([
    { name: 'binary output', script: 'head -c 20000 /dev/urandom', kb: 1 },
    { name: 'invalid UTF-8 (lone continuation and truncated sequences)', script: "for i in $(seq 1 400); do printf '\\x80ok\\xe2\\x82 \\xff\\xfe'; done", kb: 1 },
    { name: 'invalid UTF-8 that fits', script: "printf 'a\\xffb\\xc3'", kb: 1 },
    { name: 'surrogate halves encoded in UTF-8', script: "for i in $(seq 1 300); do printf '\\xed\\xa0\\x80\\xed\\xb0\\x80'; done", kb: 1 },
  ])('turns $name into valid UTF-8 within the cap, counting the raw bytes', async ({ script, kb }) => {
    const { runner } = await realRunner();
    const result = await runner.run(runRequest(script, { maxResponseSizeKb: kb }));
    expect(result.status).toBe('completed');
    expect(result.stdoutBytes).toBeGreaterThan(0);
    expectValidUtf8Within(result, kb * 1024);
  });

  it.each([1, 2, 3])('cuts multi-byte characters only on character boundaries with a %i KB cap', async (kb) => {
    const { runner } = await realRunner();
    // 2-, 3- and 4-byte characters in a 9-byte cycle, so the cuts land at every offset within a character.
    const result = await runner.run(runRequest("for i in $(seq 1 2000); do printf 'é€😀'; done; for i in $(seq 1 1500); do printf '€😀é' >&2; done", { maxResponseSizeKb: kb }));
    expect(result).toMatchObject({ stdoutBytes: 2000 * 9, stderrBytes: 1500 * 9, stdoutTruncated: true, stderrTruncated: true });
    expectValidUtf8Within(result, kb * 1024);
    expect(result.stdout).not.toContain('\uFFFD');
    expect(result.stderr).not.toContain('\uFFFD');
    expect(result.stdout.startsWith('é€😀é')).toBe(true);
    expect(result.stdout.endsWith('é€😀')).toBe(true);
    expect(result.stderr.startsWith('€😀é')).toBe(true);
    expect(result.stderr.endsWith('€😀é')).toBe(true);
  });

  it('keeps head and tail with a marker that accounts for every byte', async () => {
    const { runner } = await realRunner();
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i}`).join('\n');
    const full = `START\n${lines}\nEND\n`;
    const result = await runner.run(runRequest('echo START\nseq -f "line %g" 0 19999\necho END\necho err-head >&2; head -c 5000 /dev/zero | tr "\\0" e >&2; echo err-tail >&2'));
    expect(result.stdoutBytes).toBe(Buffer.byteLength(full));
    expect(result.stdoutSha256).toBe(createHash('sha256').update(full).digest('hex'));
    expect(result.stderrBytes).toBe(9 + 5000 + 9);
    expect(result.stdout.startsWith('START\nline 0\n')).toBe(true);
    expect(result.stdout.endsWith('line 19999\nEND\n')).toBe(true);
    const omitted = Number(MARKER.exec(result.stdout)?.[1]);
    expect(omitted + Buffer.byteLength(result.stdout.replace(MARKER, ''))).toBe(result.stdoutBytes);
    expect(result.stderr.startsWith('err-head\n')).toBe(true);
    expect(result.stderr.endsWith('err-tail\n')).toBe(true);
    expectValidUtf8Within(result, 1024);
  });

  it('gives a quiet stream its text whole and the rest of the budget to the other', async () => {
    const { runner } = await realRunner({});
    const result = await runner.run(runRequest('echo oops >&2; head -c 5000 /dev/zero | tr "\\0" o', { maxResponseSizeKb: 2 }));
    expect(result).toMatchObject({ stderr: 'oops\n', stderrTruncated: false, stdoutTruncated: true });
    expect(Buffer.byteLength(result.stdout)).toBeLessThanOrEqual(2048 - 5);
    expect(Buffer.byteLength(result.stdout)).toBeGreaterThan(2048 - 5 - 4);
  });
});
