import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createObjectInflater } from './inflate-object.ts';

const inflate = createObjectInflater();

/** Text-like bytes (long repeats, so every block type and long distances show up) or noise. */
const content = fc.oneof(
  fc.uint8Array({ maxLength: 3000 }),
  fc
    .tuple(fc.array(fc.string({ maxLength: 20 }), { maxLength: 40 }), fc.nat({ max: 300 }))
    .map(([words, n]) => new TextEncoder().encode(words.join(' ').repeat(n % 40))),
);

describe('createObjectInflater', () => {
  it('inflates what zlib deflates at any level, and finds where each stream ends', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(content, fc.integer({ min: 0, max: 9 })), { minLength: 1, maxLength: 4 }),
        (objects) => {
          // Streams back to back, as in a pack, with a byte before the first.
          const streams = objects.map(([data, level]) => deflateSync(data, { level }));
          const pack = new Uint8Array(Buffer.concat([Buffer.of(0x99), ...streams, Buffer.of(0)]));
          let at = 1;
          objects.forEach(([data], i) => {
            const out = inflate(pack, at, data.length);
            expect(Buffer.from(out.data).equals(Buffer.from(data))).toBe(true);
            at += (streams[i] as Buffer).length;
            expect(out.end).toBe(at);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a stream that inflates to another size, is cut off, or is no zlib stream', () => {
    const data = new TextEncoder().encode('hello hello hello hello, world');
    const stream = new Uint8Array(deflateSync(data));
    const fails = (pack: Uint8Array, size: number, message: RegExp) =>
      expect(() => inflate(pack, 0, size)).toThrow(message);
    fails(stream, data.length - 1, /inflates to more than/);
    fails(stream, data.length + 1, /inflates to 30 bytes, not the 31/);
    fails(stream.subarray(0, stream.length - 6), data.length, /cut off|invalid/);
    fails(Uint8Array.of(0x78, 0x9c, 0xff, 0xff), 4, /invalid|cut off/);
    fails(new TextEncoder().encode('PK\x03\x04'), 4, /not a zlib stream/);
  });
});
