import { constants, deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createObjectInflater } from './inflate-object.ts';
import type { ObjectInflater, ObjectInflaterOptions } from './object-inflater.ts';
import { createZlibObjectInflater } from './zlib-inflate-object.ts';
import { SourcesPackError } from '../../errors/sources-errors.ts';

/** Text-like bytes (long repeats, so every block type and long distances show up) or noise. */
const content = fc.oneof(
  fc.uint8Array({ maxLength: 3000 }),
  fc
    .tuple(fc.array(fc.string({ maxLength: 20 }), { maxLength: 40 }), fc.nat({ max: 300 }))
    .map(([words, n]) => new TextEncoder().encode(words.join(' ').repeat(n % 40))),
);

/** Canonical Huffman codes of these code lengths (RFC 1951 §3.2.2). */
function canonical(lengths: readonly number[]): number[] {
  const next: number[] = [];
  let code = 0;
  for (let l = 1; l < 16; l++) {
    code = (code + lengths.filter((x) => x === l - 1 && l > 1).length) << 1;
    next[l] = l === 1 ? 0 : code;
  }
  return lengths.map((l) => (l ? (next[l] = (next[l] as number) + 1) - 1 : 0));
}

/**
 * A zlib stream of one dynamic block with these code lengths (literal/length codes first, then
 * distance codes) that codes the literal symbols `body` and end-of-block; zlib never writes the
 * hostile or unusual code sets the tests need. The code length code gives 0-15 four bits each.
 */
function dynamicBlockStream(lit: number[], dist: number[], body: number[]): Uint8Array {
  const bytes: number[] = [0x78, 0x01];
  let acc = 0;
  let n = 0;
  const put = (value: number, count: number) => {
    for (let i = 0; i < count; i++) {
      acc |= ((value >> i) & 1) << n;
      if (++n === 8) [acc, n] = [bytes.push(acc) && 0, 0];
    }
  };
  const putCode = (code: number, length: number) => {
    for (let i = length - 1; i >= 0; i--) put((code >> i) & 1, 1);
  };
  put(1, 1);
  put(2, 2);
  put(lit.length - 257, 5);
  put(dist.length - 1, 5);
  put(19 - 4, 4);
  for (const symbol of [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]) {
    put(symbol < 16 ? 4 : 0, 3);
  }
  for (const length of [...lit, ...dist]) putCode(length, 4);
  const codes = canonical(lit);
  for (const symbol of [...body, 256]) putCode(codes[symbol] as number, lit[symbol] as number);
  put(0, 7);
  return Uint8Array.from([...bytes, 0, 0, 0, 0]);
}

const lengths = (count: number, set: Record<number, number>): number[] =>
  Array.from({ length: count }, (_, i) => set[i] ?? 0);

describe.each([
  ['ours', createObjectInflater],
  ['node:zlib', createZlibObjectInflater],
] as const)(
  'the %s object inflater',
  (_, create: (o?: ObjectInflaterOptions) => ObjectInflater) => {
    const inflate = create();

    it('inflates what zlib deflates at any level, and finds where each stream ends', () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(content, fc.integer({ min: 0, max: 9 })), {
            minLength: 1,
            maxLength: 4,
          }),
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

    it('inflates stored, fixed and empty streams byte for byte', () => {
      const text = new TextEncoder().encode('stored and fixed blocks, '.repeat(50));
      const cases: [Uint8Array, Buffer][] = [
        [new Uint8Array(0), deflateSync(new Uint8Array(0))],
        [text, deflateSync(text, { level: 0 })],
        [text, deflateSync(text, { strategy: constants.Z_FIXED })],
        [text, deflateSync(text, { strategy: constants.Z_HUFFMAN_ONLY })],
      ];
      for (const [data, stream] of cases) {
        const out = inflate(new Uint8Array(stream), 0, data.length);
        expect(Buffer.from(out.data).equals(Buffer.from(data))).toBe(true);
        expect(out.end).toBe(stream.length);
      }
    });

    it('takes the code sets RFC 1951 allows: one 1-bit distance code, no distance code, 15-bit codes', () => {
      const body = [65, 66, 67];
      // Literals only, with a single distance code or none (zlib writes both).
      const lit = lengths(257, { 65: 2, 66: 2, 67: 2, 256: 2 });
      for (const dist of [[1], [0], lengths(30, { 7: 1 })]) {
        const out = inflate(dynamicBlockStream(lit, dist, body), 0, 3);
        expect(Array.from(out.data)).toEqual(body);
      }
      // A complete code as deep as DEFLATE allows: 'N' (78) and 'O' take 14 and 15 bits.
      const deep = lengths(257, { 256: 15 });
      for (let l = 1; l <= 15; l++) deep[64 + l] = l;
      const out = inflate(dynamicBlockStream(deep, [1], [78, 79, 65, 79]), 0, 4);
      expect(Array.from(out.data)).toEqual([78, 79, 65, 79]);
    });

    it('refuses an over-subscribed code set without building its tables', () => {
      // 285 one-bit codes and one of 15 bits: decoders without the Kraft check write 2^14 table
      // entries per code, millions per 200-byte block.
      const lit = new Array<number>(286).fill(1);
      lit[285] = 15;
      const stream = dynamicBlockStream(lit, new Array<number>(30).fill(1), []);
      const run = () => inflate(stream, 0, 0);
      expect(run).toThrow(SourcesPackError);
      expect(run).toThrow(/invalid literal\/length code set/);
      const dist = new Array<number>(30).fill(2);
      expect(() => inflate(dynamicBlockStream(lengths(257, { 256: 1 }), dist, []), 0, 0)).toThrow(
        /invalid distance code set/,
      );
    });

    it('refuses incomplete code sets other than a single 1-bit code', () => {
      const lit = lengths(257, { 65: 2, 66: 2, 256: 2 });
      expect(() => inflate(dynamicBlockStream(lit, [1], [65]), 0, 1)).toThrow(
        /invalid literal\/length code set/,
      );
      const complete = lengths(257, { 65: 1, 256: 1 });
      expect(() => inflate(dynamicBlockStream(complete, [2, 2], [65]), 0, 1)).toThrow(
        /invalid distance code set/,
      );
      expect(() => inflate(dynamicBlockStream(lengths(257, { 65: 1 }), [1], [65]), 0, 1)).toThrow(
        /no end-of-block code/,
      );
    });

    it('refuses a stated size it cannot or may not inflate to, as a pack error', () => {
      const stream = new Uint8Array(deflateSync(new Uint8Array(100)));
      const capped = create({ maxObjectBytes: 50 });
      const error = (run: () => unknown): unknown => {
        try {
          run();
        } catch (e) {
          return e;
        }
        return undefined;
      };
      for (const [run, message] of [
        // 2^40 bytes would be a RangeError from `new Uint8Array`, 2^31 an allocation that fails late.
        [() => inflate(stream, 0, 2 ** 40), /more than the 1073741824 this runner inflates/],
        [() => create({ maxObjectBytes: 2 ** 50 })(stream, 0, 2 ** 31), /remaining/],
        [() => capped(stream, 0, 100), /more than the 50 this runner inflates/],
        [() => inflate(stream, 0, -1), /impossible size/],
        [() => inflate(stream, 0, Number.NaN), /impossible size/],
      ] as const) {
        const e = error(run);
        expect(e).toBeInstanceOf(SourcesPackError);
        expect((e as SourcesPackError).message).toMatch(message);
      }
      expect(create({ maxObjectBytes: 100 })(stream, 0, 100).data).toEqual(new Uint8Array(100));
    });
  },
);
