import { describe, expect, it } from 'vitest';
import { applyDelta } from './apply-delta.ts';

const base = new TextEncoder().encode('hello, world');
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('applyDelta', () => {
  it('copies from the base and inserts literal bytes', () => {
    // base 12, result 10: copy "hello" (offset 0, size 5), insert "!!", copy "rld" (offset 9, size 3)
    const delta = Uint8Array.of(12, 10, 0x90, 5, 2, 0x21, 0x21, 0x91, 9, 3);
    expect(text(applyDelta(base, delta))).toBe('hello!!rld');
  });

  const broken: [string, number[], RegExp][] = [
    ['names another base size', [11, 1, 1, 0x41], /expects a 11-byte base/],
    ['copies past the end of its base', [12, 5, 0x91, 10, 5], /copies outside/],
    ['builds more than it states', [12, 1, 2, 0x41, 0x42], /inserts more bytes/],
    ['builds less than it states', [12, 3, 1, 0x41], /builds 1 bytes, not the 3/],
    ['uses the reserved opcode', [12, 1, 0], /reserved opcode/],
    ['ends inside its header', [0x80], /ends inside its header/],
    // 0x80 bytes add nothing but push the next group past 2^53, where 0 × 2^1024 is NaN.
    [
      'states a size with more groups than any size has',
      [12, ...Array.from({ length: 200 }, () => 0x80), 0x01, 0x41],
      /states a size no object can have/,
    ],
  ];
  for (const [what, bytes, message] of broken) {
    it(`refuses a delta that ${what}`, () => {
      expect(() => applyDelta(base, Uint8Array.from(bytes))).toThrow(message);
    });
  }

  it('lets the caller refuse the stated result size before it is allocated', () => {
    // Base 12, result 2^40 bytes (a terabyte, no typed array could hold it): 0x80 x5, then 0x20.
    const bomb = Uint8Array.of(12, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x91, 0, 12);
    const stated: number[] = [];
    const refuse = (size: number) => {
      stated.push(size);
      throw new Error('over budget');
    };
    expect(() => applyDelta(base, bomb, refuse)).toThrow('over budget');
    expect(stated).toEqual([2 ** 40]);
    // A delta that fits is only counted.
    const counted: number[] = [];
    const delta = Uint8Array.of(12, 10, 0x90, 5, 2, 0x21, 0x21, 0x91, 9, 3);
    expect(text(applyDelta(base, delta, (size) => counted.push(size)))).toBe('hello!!rld');
    expect(counted).toEqual([10]);
  });
});
