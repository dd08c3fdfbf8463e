/**
 * The sizes and offsets a pack spells in base-128 groups (pack-format.txt: an object's header,
 * a delta's base and result sizes, an ofs-delta's distance back). A hostile pack can repeat
 * continuation bytes: past 2^53 the arithmetic turns to Infinity and NaN, and a NaN size slips
 * through every `size > budget` check after it. So each step refuses a value no real pack has.
 */

/** Where continuation stops being believable: sizes from 2^53 on cannot be real. */
const MAX_SHIFT = 49;

/**
 * `value` with the 7 bits of `byte` added at `shift`, or null when that makes a number no real
 * pack holds (an over-long varint).
 */
export function addSizeBits(value: number, byte: number, shift: number): number | null {
  if (shift > MAX_SHIFT + 4) return null;
  const next = value + (byte & 0x7f) * 2 ** shift;
  return Number.isSafeInteger(next) ? next : null;
}

/** One more group of an ofs-delta's distance back (its "+1" encoding), or null when too far. */
export function addOffsetBits(back: number, byte: number): number | null {
  const next = (back + 1) * 128 + (byte & 0x7f);
  return Number.isSafeInteger(next) ? next : null;
}
