import { describe, expect, it } from 'vitest';
import { TraceBuffer, limitNotice } from './trace-buffer.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('TraceBuffer', () => {
  it('cuts at the limit and appends the notice once (TestTraceLimit)', () => {
    const buffer = new TraceBuffer({ limit: 10 });
    expect(buffer.length).toBe(0);
    for (let i = 0; i < 100; i++) buffer.write(utf8('This is the long message'));
    buffer.finish();
    const expected =
      'This is th\n' +
      "\x1b[33;1mJob's log exceeded limit of 10 bytes.\n" +
      'Job execution will continue but no more output will be collected.\x1b[0;m\n';
    expect(text(buffer.bytes())).toBe(expected);
    expect(buffer.length).toBe(127);
    expect(buffer.checksum()).toBe('crc32:295921ca');
    expect(buffer.truncated).toBe(true);
  });

  it('cuts a later write at the limit (TestDelayedLimit)', () => {
    const buffer = new TraceBuffer({ limit: 20 });
    buffer.write(utf8('data before limit\n'));
    buffer.write(utf8('data after limit\n'));
    expect(text(buffer.bytes())).toBe('data before limit\nda' + limitNotice(20));
    expect(buffer.checksum()).toBe('crc32:559aa46f');
  });

  it('does not add the notice when output ends exactly at the limit', () => {
    const buffer = new TraceBuffer({ limit: 5 });
    buffer.write(utf8('12345'));
    expect(buffer.truncated).toBe(false);
    buffer.write(utf8('6'));
    expect(text(buffer.bytes())).toBe('12345' + limitNotice(5));
  });

  it('never splits a multi-byte character at the limit', () => {
    const buffer = new TraceBuffer({ limit: 4 });
    buffer.write(utf8('abcü'));
    expect(text(buffer.bytes())).toBe('abc' + limitNotice(4));
  });

  it('matches the docs/runner-protocol.md §6.6 checksum vectors', () => {
    const a = new TraceBuffer();
    a.write(utf8('This is a basic log line'));
    expect([a.checksum(), a.length]).toEqual(['crc32:367dfeeb', 24]);
    const b = new TraceBuffer();
    for (const part of ['Build trace with secret and multi-byte ', 'ü character']) {
      b.write(utf8(part));
    }
    expect([b.checksum(), b.length]).toEqual(['crc32:0d7cf601', 51]);
  });

  it('replaces invalid UTF-8 but keeps a character split across writes', () => {
    const buffer = new TraceBuffer();
    const u = utf8('ü');
    buffer.write(Uint8Array.from([0x61, 0xff, 0x62, u[0] ?? 0]));
    buffer.write(Uint8Array.from([u[1] ?? 0, 0x0a]));
    expect(text(buffer.bytes())).toBe('a\ufffdbü\n');
  });

  it('stores an unfinished sequence as U+FFFD on finish', () => {
    const buffer = new TraceBuffer();
    buffer.write(Uint8Array.from([0x61, 0xe2, 0x82]));
    expect(buffer.length).toBe(1);
    buffer.finish();
    expect(text(buffer.bytes())).toBe('a\ufffd');
  });

  it('reads ranges for trace patches', () => {
    const buffer = new TraceBuffer();
    buffer.write(utf8('hello '));
    buffer.write(utf8('world'));
    expect(text(buffer.read(3, 4))).toBe('lo w');
    expect(text(buffer.read(8, 100))).toBe('rld');
    expect(buffer.read(11, 10).length).toBe(0);
  });

  it('grows past its first allocation without losing bytes', () => {
    const buffer = new TraceBuffer({ limit: 1 << 20 });
    const line = utf8('x'.repeat(999) + '\n');
    for (let i = 0; i < 200; i++) buffer.write(line);
    expect(buffer.length).toBe(200_000);
    expect(buffer.read(199_000, 1000)).toEqual(line);
    // 65 000 + 1000 crosses the first 64 KiB page.
    expect(buffer.read(65_000, 1000)).toEqual(line);
    expect(buffer.bytes().length).toBe(200_000);
  });

  it('reads any range across copied and referenced writes, with the checksum of the whole', () => {
    // Sizes on both sides of the by-reference threshold and the 64 KiB page.
    const sizes = [5, 3000, 17, 1023, 1024, 70_000, 1, 65_536, 200, 4096, 9];
    const buffer = new TraceBuffer({ limit: 1 << 20 });
    const all = new Uint8Array(sizes.reduce((a, b) => a + b, 0));
    let at = 0;
    for (const [i, size] of sizes.entries()) {
      const chunk = new Uint8Array(size).map((_, k) => 0x21 + ((i * 7 + k) % 90));
      all.set(chunk, at);
      at += size;
      buffer.write(chunk);
    }
    expect(buffer.length).toBe(all.length);
    const same = (a: Uint8Array, b: Uint8Array) =>
      a.length === b.length && a.every((x, k) => x === b[k]);
    expect(same(buffer.bytes(), all)).toBe(true);
    const whole = new TraceBuffer({ limit: 1 << 20 });
    whole.write(all.slice());
    expect(buffer.checksum()).toBe(whole.checksum());
    for (let start = 0; start < all.length; start += 997) {
      for (const max of [1, 1000, 70_000]) {
        expect(same(buffer.read(start, max), all.subarray(start, start + max))).toBe(true);
      }
    }
  });
});
