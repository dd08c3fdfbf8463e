import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createNodeSha1 } from './node-sha1.ts';
import { createJsSha1 } from './sha1.ts';

describe('SHA-1', () => {
  it('matches node:crypto for any bytes fed in any pieces', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }),
        fc.array(fc.nat({ max: 400 }), { maxLength: 4 }),
        (bytes, cuts) => {
          const expected = createHash('sha1').update(bytes).digest('hex');
          for (const create of [createJsSha1, createNodeSha1]) {
            const hash = create();
            let at = 0;
            for (const cut of [...cuts].sort((a, b) => a - b)) {
              hash.update(bytes.subarray(at, Math.max(at, cut)));
              at = Math.max(at, cut);
            }
            hash.update(bytes.subarray(at));
            expect(Buffer.from(hash.digest()).toString('hex')).toBe(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('hashes the block-boundary lengths and a large input like node:crypto', () => {
    for (const n of [0, 55, 56, 63, 64, 65, 119, 120, 128, 3 * 1024 * 1024 + 7]) {
      const bytes = new Uint8Array(n).map((_, i) => (i * 131) & 0xff);
      const ours = Buffer.from(createJsSha1().update(bytes).digest()).toString('hex');
      expect(ours, `${n} bytes`).toBe(createHash('sha1').update(bytes).digest('hex'));
    }
  });
});
