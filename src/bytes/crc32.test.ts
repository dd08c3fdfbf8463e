import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32, formatChecksum } from './crc32.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Bit-by-bit CRC-32, the definition the fast table version must agree with. */
function slowCrc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return ~crc >>> 0;
}

describe('crc32', () => {
  it.each([
    ['This is a basic log line', 'crc32:367dfeeb'],
    ['Build trace with secret and multi-byte ü character', 'crc32:0d7cf601'],
    ['123456789', 'crc32:cbf43926'],
    ['', 'crc32:00000000'],
  ])('matches the docs/runner-protocol.md §6.6 vector for %j', (text, expected) => {
    expect(formatChecksum(crc32(utf8(text)))).toBe(expected);
  });

  it('agrees with the bit-by-bit definition on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(crc32(bytes)).toBe(slowCrc32(bytes));
      }),
      { seed: 1, numRuns: 200 },
    );
  });

  it('continues across any split of the input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(64), (bytes, at) => {
        const cut = Math.min(at, bytes.length);
        const whole = crc32(bytes);
        expect(crc32(bytes.subarray(cut), crc32(bytes.subarray(0, cut)))).toBe(whole);
      }),
      { seed: 2, numRuns: 200 },
    );
  });

  it('pads the checksum to eight hex digits', () => {
    expect(formatChecksum(0x1f)).toBe('crc32:0000001f');
  });
});
