/**
 * The sizes and offsets a pack spells in groups of 7 bits: an object's header, a delta's base
 * and result sizes, an ofs-delta's distance back. Every reader here checks where the bytes end
 * and keeps the value below 2^53, the first integer a double cannot tell from its neighbour. A
 * hostile pack can repeat continuation bytes: past 2^53 the sum turns to Infinity and NaN, and
 * a NaN size slips through every `size > budget` check after it. So a value read here is a safe
 * integer, or the read fails and the caller says why in its own words.
 */

/** A value read, and where the bytes after it start. */
export interface Varint {
  value: number;
  pos: number;
}

/** Why a read failed: the bytes end inside it, or it spells a value of 2^53 or more. */
export type VarintFailure = 'cut off' | 'too large';

/**
 * The last bit a size group may start at. A group starting at bit 53 keeps the value below 2^53
 * only if its bits are zero; a group past it is refused even then, so a run of zero groups
 * (`0x80 0x80 …`, whose sum stays 0 until 2^shift itself is Infinity) ends there.
 */
const LAST_SIZE_SHIFT = 53;

/**
 * Size groups from `pos` on, least significant first, added to `value` from bit `shift`; no
 * byte at or past `end` is read.
 */
function sizeGroups(
  bytes: Uint8Array,
  pos: number,
  end: number,
  value: number,
  shift: number,
): Varint | VarintFailure {
  for (;;) {
    if (pos >= end) return 'cut off';
    if (shift > LAST_SIZE_SHIFT) return 'too large';
    const byte = bytes[pos++] as number;
    value += (byte & 0x7f) * 2 ** shift;
    if (!Number.isSafeInteger(value)) return 'too large';
    if (!(byte & 0x80)) return { value, pos };
    shift += 7;
  }
}

/** A delta's base or result size at `pos`: 7 bits a byte, least significant first. */
export function readSizeVarint(
  bytes: Uint8Array,
  pos: number,
  end: number,
): Varint | VarintFailure {
  return sizeGroups(bytes, pos, end, 0, 0);
}

/** An object's type and size: type in bits 4-6 of the first byte, then 4 bits of size, then 7 a byte. */
export function readObjectHeader(
  bytes: Uint8Array,
  pos: number,
  end: number,
): { type: number; size: number; pos: number } | VarintFailure {
  if (pos >= end) return 'cut off';
  const first = bytes[pos] as number;
  const type = (first >> 4) & 7;
  if (!(first & 0x80)) return { type, size: first & 0x0f, pos: pos + 1 };
  const size = sizeGroups(bytes, pos + 1, end, first & 0x0f, 4);
  return typeof size === 'string' ? size : { type, size: size.value, pos: size.pos };
}

/**
 * An ofs-delta's distance back: most significant group first, and each continuation adds one
 * before shifting (so that no distance has two spellings). It grows at least 128-fold a group,
 * so the 2^53 check ends any run of continuation bytes.
 */
export function readOffsetVarint(
  bytes: Uint8Array,
  pos: number,
  end: number,
): Varint | VarintFailure {
  if (pos >= end) return 'cut off';
  let byte = bytes[pos++] as number;
  let value = byte & 0x7f;
  while (byte & 0x80) {
    if (pos >= end) return 'cut off';
    byte = bytes[pos++] as number;
    value = (value + 1) * 128 + (byte & 0x7f);
    if (!Number.isSafeInteger(value)) return 'too large';
  }
  return { value, pos };
}
