import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createNodeSha1 } from './node-sha1.ts';
import type { CreateSha1 } from './sha1.ts';
import { loadWasmSha1 } from './wasm-sha1.ts';

const hex = (digest: Uint8Array): string => Buffer.from(digest).toString('hex');

let createWasmSha1: CreateSha1;
beforeAll(async () => {
  createWasmSha1 = await loadWasmSha1();
});

describe.each([
  ['hash-wasm', () => createWasmSha1],
  ['node:crypto', () => createNodeSha1],
])('SHA-1 (%s)', (_, implementation) => {
  it('matches node:crypto for any bytes fed in any pieces', () => {
    const create = implementation();
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }),
        fc.array(fc.nat({ max: 400 }), { maxLength: 4 }),
        (bytes, cuts) => {
          const expected = createHash('sha1').update(bytes).digest('hex');
          const hash = create();
          let at = 0;
          for (const cut of [...cuts].sort((a, b) => a - b)) {
            hash.update(bytes.subarray(at, Math.max(at, cut)));
            at = Math.max(at, cut);
          }
          hash.update(bytes.subarray(at));
          expect(hex(hash.digest())).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('hashes the block-boundary lengths and a large input like node:crypto', () => {
    for (const n of [0, 55, 56, 63, 64, 65, 119, 120, 128, 3 * 1024 * 1024 + 7]) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 131) & 0xff);
      const ours = hex(implementation()().update(bytes).digest());
      expect(ours, `${n} bytes`).toBe(createHash('sha1').update(bytes).digest('hex'));
    }
  });

  it('keeps hashers that are used at the same time apart', () => {
    const create = implementation();
    const [a, b, c] = [create(), create(), create()];
    const text = (s: string) => new TextEncoder().encode(s);
    a.update(text('blob 5\0'));
    b.update(text('tree 0\0'));
    a.update(text('hello'));
    const first = hex(c.update(text('abc')).digest());
    expect(hex(a.digest())).toBe(createHash('sha1').update('blob 5\0hello').digest('hex'));
    expect(hex(b.digest())).toBe(createHash('sha1').update('tree 0\0').digest('hex'));
    expect(first).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
  });
});

describe('loadWasmSha1', () => {
  it('compiles the module once: every call gives the same factory', async () => {
    expect(await loadWasmSha1()).toBe(createWasmSha1);
  });
});
