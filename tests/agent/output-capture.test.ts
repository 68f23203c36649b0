// Bounded output capture: memory stays bounded, counts and hashes cover everything, rendering is valid UTF-8 within budget.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BoundedCapture, encodingFields, renderWithinBudget, type CapturedStream } from '../../src/agent/runner/output-capture';

function capture(text: string | Buffer, keepBytes: number, chunkSize = 7): CapturedStream {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  const c = new BoundedCapture(keepBytes);
  for (let i = 0; i < bytes.length; i += chunkSize) c.write(bytes.subarray(i, i + chunkSize));
  return c.finish();
}

const empty = () => capture('', 1024);

describe('BoundedCapture', () => {
  it('keeps only head and tail of a large stream but counts and hashes all of it', () => {
    const big = Buffer.alloc(1_000_000, 'x');
    big.write('HEAD', 0);
    big.write('TAIL', big.length - 4);
    const c = new BoundedCapture(100);
    for (let i = 0; i < big.length; i += 65_536) c.write(big.subarray(i, i + 65_536));
    const out = c.finish();
    expect(out.kept.length).toBe(200);
    expect(out.kept.subarray(0, 4).toString()).toBe('HEAD');
    expect(out.kept.subarray(196).toString()).toBe('TAIL');
    expect(out.totalBytes).toBe(1_000_000);
    expect(out.droppedBytes).toBe(999_800);
    expect(out.sha256).toBe(createHash('sha256').update(big).digest('hex'));
  });

  it.each([1, 5, 64, 1000, 4096, 70_000])('keeps exactly the first and last bytes whatever the chunking (%i-byte chunks)', (chunkSize) => {
    const keep = 1024;
    const data = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251));
    for (const length of [0, 1, keep - 1, keep, keep + 1, 2 * keep - 1, 2 * keep, 2 * keep + 1, 3 * keep + 17, data.length]) {
      const stream = data.subarray(0, length);
      const out = capture(stream, keep, chunkSize);
      const expected = length <= 2 * keep ? stream : Buffer.concat([stream.subarray(0, keep), stream.subarray(length - keep)]);
      expect(out.kept.equals(expected), `length ${length}`).toBe(true);
      expect(out.droppedBytes).toBe(length - expected.length);
      expect(out.sha256).toBe(createHash('sha256').update(stream).digest('hex'));
    }
  });

  it('never holds more than twice its keep size, however much is written', () => {
    const c = new BoundedCapture(1024);
    const chunk = Buffer.alloc(65_536, 1);
    for (let i = 0; i < 2000; i++) {
      c.write(chunk);
      expect(c.retainedBytes).toBeLessThanOrEqual(2048);
    }
    expect(c.finish().totalBytes).toBe(2000 * 65_536);
  });

  it('copies what it keeps, so the caller may reuse its read buffer', () => {
    const c = new BoundedCapture(4);
    const reused = Buffer.from('abcdefgh');
    c.write(reused);
    reused.fill('z');
    c.write(reused.subarray(0, 2));
    expect(c.finish().kept.toString()).toBe('abcdghzz');
  });

  it('keeps a short stream whole', () => {
    const out = capture('hello world', 8, 3);
    expect(out.kept.toString()).toBe('hello world');
    expect(out.droppedBytes).toBe(0);
  });
});

describe('renderWithinBudget', () => {
  it('shows streams that fit whole and untruncated', () => {
    const [out, err] = renderWithinBudget(capture('out\n', 1024), capture('err\n', 1024), 1024);
    expect(out).toEqual({ text: 'out\n', truncated: false });
    expect(err).toEqual({ text: 'err\n', truncated: false });
  });

  it('lets a short stream leave its share to the other', () => {
    const long = 'a'.repeat(900);
    const [out, err] = renderWithinBudget(capture(long, 1024), capture('err\n', 1024), 1024);
    expect(out).toEqual({ text: long, truncated: false });
    expect(err.text).toBe('err\n');
  });

  it.each(Array.from({ length: 24 }, (_, i) => 100 + i))('never splits a character or exceeds a budget of %i bytes', (budget) => {
    const text = 'é€😀a'.repeat(200);
    const [out, err] = renderWithinBudget(capture(text, budget), capture(text, budget), budget);
    for (const rendered of [out, err]) {
      expect(rendered.truncated).toBe(true);
      expect(rendered.text).not.toContain('\uFFFD');
      expect(rendered.text).toMatch(/^é€/);
      expect(rendered.text).toMatch(/…\[truncated \d+ bytes\]…/);
    }
    expect(Buffer.byteLength(out.text) + Buffer.byteLength(err.text)).toBeLessThanOrEqual(budget);
  });

  it('stays within budget when invalid UTF-8 grows as it is encoded', () => {
    const junk = Buffer.alloc(900, 0xff);
    const [out, err] = renderWithinBudget(capture(junk, 1024), empty(), 1024);
    expect(Buffer.byteLength(out.text) + Buffer.byteLength(err.text)).toBeLessThanOrEqual(1024);
    expect(out.truncated).toBe(true);
  });

  it('reports how many bytes the marker stands for', () => {
    const text = `${'h'.repeat(2000)}${'t'.repeat(2000)}`;
    const [out] = renderWithinBudget(capture(text, 1024, 64), empty(), 1024);
    const omitted = Number(/truncated (\d+) bytes/.exec(out.text)?.[1]);
    const shown = out.text.replace(/\n…\[truncated \d+ bytes\]…\n/, '');
    expect(shown.length + omitted).toBe(4000);
    expect(shown.startsWith('h') && shown.endsWith('t')).toBe(true);
  });

  // Issue 9: output that is not plain text travels as base64 of its bytes, so a result keeps every byte and says so.
  it.each([
    ['a NUL (printf blue\\0green)', Buffer.from('blue\0green')],
    ['invalid UTF-8', Buffer.from([0x61, 0xff, 0xfe, 0x80, 0xc3, 0x28])],
    ['every byte value', Buffer.from(Array.from({ length: 256 }, (_, i) => i))],
  ])('sends %s as base64 that decodes to the exact bytes', (_name, bytes) => {
    const [out, err] = renderWithinBudget(capture(bytes, 1024), capture('fine\n', 1024), 1024);
    expect(out).toEqual({ text: bytes.toString('base64'), truncated: false, encoding: 'base64' });
    expect(Buffer.from(out.text, 'base64').equals(bytes)).toBe(true);
    expect(err).toEqual({ text: 'fine\n', truncated: false });
    expect(encodingFields(out, err)).toEqual({ stdoutEncoding: 'base64' });
  });

  it('keeps the head and tail bytes of long binary output within budget, with the marker among them', () => {
    const bytes = Buffer.concat([Buffer.from('HEAD\0'), Buffer.alloc(5000, 0xff), Buffer.from('\0TAIL')]);
    const [out] = renderWithinBudget(capture(bytes, 1024, 64), empty(), 1024);
    expect(out.encoding).toBe('base64');
    expect(out.truncated).toBe(true);
    expect(out.text.length).toBeLessThanOrEqual(1024);
    const shown = Buffer.from(out.text, 'base64');
    expect(shown.subarray(0, 5).toString('latin1')).toBe('HEAD\0');
    expect(shown.subarray(shown.length - 5).toString('latin1')).toBe('\0TAIL');
    const omitted = Number(/truncated (\d+) bytes/.exec(shown.toString('latin1'))?.[1]);
    expect(shown.length - Buffer.byteLength(`\n…[truncated ${omitted} bytes]…\n`) + omitted).toBe(bytes.length);
  });

  it('names no encoding for plain UTF-8 output, as older agents sent it', () => {
    const [out, err] = renderWithinBudget(capture('héllo\n', 1024), empty(), 1024);
    expect(encodingFields(out, err)).toEqual({});
  });
});
