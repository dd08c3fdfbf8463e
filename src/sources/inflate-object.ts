/**
 * Inflates one zlib stream inside a pack into exactly the size its pack header states, and says
 * where the stream ended: a pack has no index of compressed lengths, so the next object starts
 * where this one's zlib stream stops. Neither fflate nor `DecompressionStream` reports that, and
 * pako (which does) allocates fresh Huffman tables for every stream: with thousands of small
 * objects that dominated indexing in Chromium (5,400 objects: pako 600-1,200 ms, fflate 440-540
 * ms, measured). This is fflate's inflate loop (MIT, github.com/101arrowz/fflate) reduced to
 * one shape: one stream, a known output size, and decoding tables reused between streams.
 *
 * The Adler-32 trailer is skipped, not checked: the pack's SHA-1 covers every byte, and each
 * object's id is computed from what this returns.
 */
import { SourcesPackError } from './sources-errors.ts';

export interface InflatedObject {
  data: Uint8Array;
  /** Offset just past the zlib stream (its Adler-32 trailer included). */
  end: number;
}

export type ObjectInflater = (pack: Uint8Array, at: number, size: number) => InflatedObject;

// Extra bits and base values of length codes 257-285 and distance codes 0-29 (RFC 1951 §3.2.5).
const LENGTH_EXTRA = Uint8Array.of(
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  0,
  1,
  1,
  1,
  1,
  2,
  2,
  2,
  2,
  3,
  3,
  3,
  3,
  4,
  4,
  4,
  4,
  5,
  5,
  5,
  5,
  0,
  0,
  0,
  0,
);
const DIST_EXTRA = Uint8Array.of(
  0,
  0,
  0,
  0,
  1,
  1,
  2,
  2,
  3,
  3,
  4,
  4,
  5,
  5,
  6,
  6,
  7,
  7,
  8,
  8,
  9,
  9,
  10,
  10,
  11,
  11,
  12,
  12,
  13,
  13,
  0,
  0,
);
// Order of the code length code lengths (RFC 1951 §3.2.7).
const CODE_LENGTH_ORDER = Uint8Array.of(
  16,
  17,
  18,
  0,
  8,
  7,
  9,
  6,
  10,
  5,
  11,
  4,
  12,
  3,
  13,
  2,
  14,
  1,
  15,
);

function bases(extra: Uint8Array, start: number): Uint16Array {
  const b = new Uint16Array(31);
  for (let i = 0; i < 31; i++) b[i] = start += 1 << (extra[i - 1] ?? 0);
  return b;
}
const LENGTH_BASE = bases(LENGTH_EXTRA, 2);
LENGTH_BASE[28] = 258;
const DIST_BASE = bases(DIST_EXTRA, 0);

// 15-bit bit reversal: deflate packs Huffman codes most significant bit first.
const REVERSE = new Uint16Array(32768);
for (let i = 0; i < 32768; i++) {
  let x = ((i & 0xaaaa) >> 1) | ((i & 0x5555) << 1);
  x = ((x & 0xcccc) >> 2) | ((x & 0x3333) << 2);
  x = ((x & 0xf0f0) >> 4) | ((x & 0x0f0f) << 4);
  REVERSE[i] = (((x & 0xff00) >> 8) | ((x & 0x00ff) << 8)) >> 1;
}

const counts = new Uint16Array(16);
const nextCode = new Uint16Array(16);

/**
 * Fill `map` so that `map[next maxBits input bits]` is `(symbol << 4) | code length` for the
 * canonical Huffman code with these code lengths; entries of no code stay 0.
 */
function buildMap(lengths: Uint8Array, maxBits: number, map: Uint16Array): Uint16Array {
  counts.fill(0);
  for (const l of lengths) if (l) counts[l - 1] = (counts[l - 1] as number) + 1;
  nextCode[0] = 0;
  for (let i = 1; i < maxBits; i++) {
    nextCode[i] = ((nextCode[i - 1] as number) + (counts[i - 1] as number)) << 1;
  }
  map.fill(0, 0, 1 << maxBits);
  const shift = 15 - maxBits;
  for (let symbol = 0; symbol < lengths.length; symbol++) {
    const l = lengths[symbol] as number;
    if (!l) continue;
    const entry = (symbol << 4) | l;
    const free = maxBits - l;
    let v = (nextCode[l - 1] as number) << free;
    nextCode[l - 1] = (nextCode[l - 1] as number) + 1;
    for (const last = v | ((1 << free) - 1); v <= last; v++) {
      map[(REVERSE[v] as number) >> shift] = entry;
    }
  }
  return map;
}

function maxOf(a: Uint8Array): number {
  let m = 0;
  for (const v of a) if (v > m) m = v;
  return m;
}

const FIXED_LENGTHS = new Uint8Array(288)
  .fill(8, 0, 144)
  .fill(9, 144, 256)
  .fill(7, 256, 280)
  .fill(8, 280);
const FIXED_LIT_MAP = buildMap(FIXED_LENGTHS, 9, new Uint16Array(1 << 9));
const FIXED_DIST_MAP = buildMap(new Uint8Array(32).fill(5), 5, new Uint16Array(1 << 5));

// Tables of dynamic blocks, reused by every stream (decoding is synchronous).
const litMap = new Uint16Array(1 << 15);
const distMap = new Uint16Array(1 << 15);
const codeLengthMap = new Uint16Array(1 << 7);
const codeLengthLengths = new Uint8Array(19);
const dynamicLengths = new Uint8Array(320);

function bits(d: Uint8Array, p: number, mask: number): number {
  const o = p >>> 3;
  return ((((d[o] as number) | ((d[o + 1] as number) << 8)) >> (p & 7)) & mask) >>> 0;
}

function bits16(d: Uint8Array, p: number): number {
  const o = p >>> 3;
  return ((d[o] as number) | ((d[o + 1] as number) << 8) | ((d[o + 2] as number) << 16)) >> (p & 7);
}

function corrupt(at: number, what: string): SourcesPackError {
  return new SourcesPackError({ reason: `the object at offset ${at} ${what}` });
}

/** Inflate the zlib stream at `at` of `pack` into `size` bytes. */
function inflateAt(pack: Uint8Array, at: number, size: number): InflatedObject {
  const cmf = pack[at] ?? 0;
  const flg = pack[at + 1] ?? 0;
  if ((cmf & 0x0f) !== 8 || cmf >> 4 > 7 || ((cmf << 8) | flg) % 31 || flg & 0x20) {
    throw corrupt(at, 'is not a zlib stream');
  }
  const d = pack;
  const out = new Uint8Array(size);
  const limit = pack.length * 8;
  let pos = (at + 2) * 8;
  let bt = 0;
  let final = 0;
  while (!final) {
    if (pos + 3 > limit) throw corrupt(at, 'is cut off');
    final = bits(d, pos, 1);
    const type = bits(d, pos + 1, 3);
    pos += 3;
    if (type === 0) {
      const s = ((pos + 7) >>> 3) + 4;
      const length = (d[s - 4] ?? 0) | ((d[s - 3] ?? 0) << 8);
      if (s + length > pack.length) throw corrupt(at, 'is cut off');
      if (bt + length > size)
        throw corrupt(at, `inflates to more than the ${size} bytes its header states`);
      out.set(d.subarray(s, s + length), bt);
      bt += length;
      pos = (s + length) * 8;
      continue;
    }
    let lm: Uint16Array;
    let dm: Uint16Array;
    let lbt: number;
    let dbt: number;
    if (type === 1) {
      lm = FIXED_LIT_MAP;
      dm = FIXED_DIST_MAP;
      lbt = 9;
      dbt = 5;
    } else if (type === 2) {
      const hLit = bits(d, pos, 31) + 257;
      const hcLen = bits(d, pos + 10, 15) + 4;
      const total = hLit + bits(d, pos + 5, 31) + 1;
      pos += 14;
      codeLengthLengths.fill(0);
      for (let i = 0; i < hcLen; i++) {
        codeLengthLengths[CODE_LENGTH_ORDER[i] as number] = bits(d, pos + i * 3, 7);
      }
      pos += hcLen * 3;
      const clb = maxOf(codeLengthLengths);
      const clm = buildMap(codeLengthLengths, clb, codeLengthMap);
      const clMask = (1 << clb) - 1;
      for (let i = 0; i < total;) {
        const r = clm[bits(d, pos, clMask)] as number;
        if (!r) throw corrupt(at, 'has an invalid code length code');
        pos += r & 15;
        const s = r >> 4;
        if (s < 16) dynamicLengths[i++] = s;
        else {
          let c = 0;
          let n = 0;
          if (s === 16) {
            if (!i) throw corrupt(at, 'repeats a code length before the first');
            n = 3 + bits(d, pos, 3);
            pos += 2;
            c = dynamicLengths[i - 1] as number;
          } else if (s === 17) {
            n = 3 + bits(d, pos, 7);
            pos += 3;
          } else {
            n = 11 + bits(d, pos, 127);
            pos += 7;
          }
          if (i + n > total) throw corrupt(at, 'has too many code lengths');
          while (n--) dynamicLengths[i++] = c;
        }
      }
      const lt = dynamicLengths.subarray(0, hLit);
      const dt = dynamicLengths.subarray(hLit, total);
      lbt = maxOf(lt);
      dbt = maxOf(dt);
      lm = buildMap(lt, lbt, litMap);
      dm = buildMap(dt, dbt, distMap);
    } else {
      throw corrupt(at, 'has an invalid deflate block type');
    }
    if (pos > limit) throw corrupt(at, 'is cut off');
    const lms = (1 << lbt) - 1;
    const dms = (1 << dbt) - 1;
    for (;;) {
      const c = lm[bits16(d, pos) & lms] as number;
      if (!c) throw corrupt(at, 'has an invalid literal/length code');
      pos += c & 15;
      if (pos > limit) throw corrupt(at, 'is cut off');
      const sym = c >> 4;
      if (sym < 256) {
        if (bt >= size)
          throw corrupt(at, `inflates to more than the ${size} bytes its header states`);
        out[bt++] = sym;
      } else if (sym === 256) {
        break;
      } else {
        let add = sym - 254;
        if (sym > 264) {
          const i = sym - 257;
          const b = LENGTH_EXTRA[i] as number;
          add = bits(d, pos, (1 << b) - 1) + (LENGTH_BASE[i] as number);
          pos += b;
        }
        const dc = dm[bits16(d, pos) & dms] as number;
        if (!dc) throw corrupt(at, 'has an invalid distance code');
        pos += dc & 15;
        const dsym = dc >> 4;
        let dist = DIST_BASE[dsym] as number;
        if (dsym > 3) {
          const b = DIST_EXTRA[dsym] as number;
          dist += bits16(d, pos) & ((1 << b) - 1);
          pos += b;
        }
        if (pos > limit) throw corrupt(at, 'is cut off');
        if (dist > bt) throw corrupt(at, 'refers back before its start');
        const end = bt + add;
        if (end > size)
          throw corrupt(at, `inflates to more than the ${size} bytes its header states`);
        for (; bt < end; bt++) out[bt] = out[bt - dist] as number;
      }
    }
  }
  if (bt !== size) throw corrupt(at, `inflates to ${bt} bytes, not the ${size} its header states`);
  const end = ((pos + 7) >>> 3) + 4;
  if (end > pack.length) throw corrupt(at, 'is cut off');
  return { data: out, end };
}

/** An inflater for the objects of packs (the tables it reuses are shared: decoding is synchronous). */
export function createObjectInflater(): ObjectInflater {
  return inflateAt;
}
