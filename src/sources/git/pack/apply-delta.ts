/**
 * Applies a git delta (pack-format.txt "Deltified representation") to its base. Every size and
 * copy range is checked: a delta that does not fit its base or its stated result is a corrupt
 * pack, never a silently short or padded file. The result size is whatever the delta states
 * (one copy op may copy 16 MB), so a caller bounding memory gets to refuse it before it is
 * allocated.
 */
import { readSizeVarint } from './pack-size.ts';
import { SourcesPackError } from '../../errors/sources-errors.ts';

function corrupt(reason: string): SourcesPackError {
  return new SourcesPackError({ reason: `a delta ${reason}` });
}

/**
 * `reserve` is called with the result size the delta states before that much is allocated; it
 * throws to refuse it.
 */
export function applyDelta(
  base: Uint8Array,
  delta: Uint8Array,
  reserve?: (resultSize: number) => void,
): Uint8Array {
  let pos = 0;
  const varint = (): number => {
    const read = readSizeVarint(delta, pos, delta.length);
    if (read === 'cut off') throw corrupt('ends inside its header');
    if (read === 'too large') throw corrupt('states a size no object can have');
    pos = read.pos;
    return read.value;
  };
  const baseSize = varint();
  if (baseSize !== base.length) {
    throw corrupt(`expects a ${baseSize}-byte base, but its base has ${base.length} bytes`);
  }
  const resultSize = varint();
  reserve?.(resultSize);
  const out = new Uint8Array(resultSize);
  let o = 0;
  const end = delta.length;
  while (pos < end) {
    const op = delta[pos++] as number;
    if (op & 0x80) {
      let offset = 0;
      let size = 0;
      if (op & 0x01) offset = delta[pos++] as number;
      if (op & 0x02) offset |= (delta[pos++] as number) << 8;
      if (op & 0x04) offset |= (delta[pos++] as number) << 16;
      if (op & 0x08) offset = (offset | 0) + (delta[pos++] as number) * 0x1000000;
      if (op & 0x10) size = delta[pos++] as number;
      if (op & 0x20) size |= (delta[pos++] as number) << 8;
      if (op & 0x40) size |= (delta[pos++] as number) << 16;
      if (size === 0) size = 0x10000;
      if (pos > end || offset + size > base.length || o + size > out.length) {
        throw corrupt('copies outside its base or its result');
      }
      // Text deltas are mostly short copies: a loop beats a subarray view per copy.
      if (size < 64) for (let i = 0; i < size; i++) out[o++] = base[offset + i] as number;
      else {
        out.set(base.subarray(offset, offset + size), o);
        o += size;
      }
    } else if (op) {
      if (pos + op > end || o + op > out.length) {
        throw corrupt('inserts more bytes than it holds or its result takes');
      }
      for (let i = 0; i < op; i++) out[o++] = delta[pos++] as number;
    } else {
      throw corrupt('has the reserved opcode 0');
    }
  }
  if (o !== out.length) throw corrupt(`builds ${o} bytes, not the ${out.length} it states`);
  return out;
}
