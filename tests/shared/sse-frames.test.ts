// Reading server-sent events back: frames split across chunks, a character split across chunks, CRLF line ends,
// several data lines, unnamed frames, and keep-alive comments that yield nothing.
import { describe, expect, it } from 'vitest';
import { SseFrameDecoder } from '../../src/shared/sse-frames';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('SseFrameDecoder', () => {
  it('yields each frame once it is complete, whatever the chunks', () => {
    const frames = new SseFrameDecoder();
    const whole = bytes('event: statusChanged\ndata: {"name":"Zoë"}\n\n: keep-alive\n\nevent: installsChanged\r\ndata: [1,\r\ndata: 2]\r\n\r\ndata: plain\n\n');
    const seen = [];
    // One byte at a time: the ë (two bytes in UTF-8) is cut in the middle.
    for (const byte of whole) seen.push(...frames.push(Uint8Array.of(byte)));
    expect(seen).toEqual([
      { event: 'statusChanged', data: '{"name":"Zoë"}' },
      { event: 'installsChanged', data: '[1,\n2]' },
      { event: 'message', data: 'plain' },
    ]);
    expect(frames.pendingChars).toBe(0);
  });

  it('holds an unfinished frame and says how large it is', () => {
    const frames = new SseFrameDecoder();
    expect(frames.push(bytes('event: x\ndata: 12345'))).toEqual([]);
    expect(frames.pendingChars).toBe('event: x\ndata: 12345'.length);
    expect(frames.push(bytes('\n\n'))).toEqual([{ event: 'x', data: '12345' }]);
  });
});
