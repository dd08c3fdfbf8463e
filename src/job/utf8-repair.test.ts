import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Utf8Repair } from './utf8-repair.ts';

const decodeLoose = (b: Uint8Array) => new TextDecoder().decode(b);

function repairInChunks(chunks: Uint8Array[]): Uint8Array {
  const repair = new Utf8Repair();
  const out: number[] = [];
  for (const c of chunks) out.push(...repair.write(c));
  out.push(...repair.end());
  return Uint8Array.from(out);
}

describe('Utf8Repair', () => {
  it('replaces invalid bytes with U+FFFD', () => {
    const out = repairInChunks([Uint8Array.from([0x61, 0xff, 0x62, 0xfe, 0x0a])]);
    expect(decodeLoose(out)).toBe('a\ufffdb\ufffd\n');
  });

  it('keeps a multi-byte character split across writes', () => {
    const u = new TextEncoder().encode('ü€😀');
    const out = repairInChunks([
      u.subarray(0, 1),
      u.subarray(1, 3),
      u.subarray(3, 6),
      u.subarray(6),
    ]);
    expect(decodeLoose(out)).toBe('ü€😀');
  });

  it('replaces a truncated sequence at the end of the stream', () => {
    expect(decodeLoose(repairInChunks([Uint8Array.from([0x61, 0xe2, 0x82])]))).toBe('a\ufffd');
  });

  it('replaces surrogates and overlong forms as the WHATWG decoder does', () => {
    const bad = Uint8Array.from([0xed, 0xa0, 0x80, 0xc0, 0xaf, 0xf4, 0x90, 0x80, 0x80]);
    expect(decodeLoose(repairInChunks([bad]))).toBe(decodeLoose(bad));
  });

  it('agrees with TextDecoder on any bytes and any split', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 40 }),
        fc.array(fc.nat(40), { maxLength: 5 }),
        (bytes, cuts) => {
          const points = [...new Set(cuts.map((c) => Math.min(c, bytes.length)))].sort(
            (a, b) => a - b,
          );
          const chunks: Uint8Array[] = [];
          let last = 0;
          for (const p of points) {
            chunks.push(bytes.subarray(last, p));
            last = p;
          }
          chunks.push(bytes.subarray(last));
          const out = repairInChunks(chunks);
          expect(new TextDecoder('utf-8', { fatal: true }).decode(out)).toBe(decodeLoose(bytes));
        },
      ),
      { seed: 3, numRuns: 500 },
    );
  });
});
