/**
 * Our `ObjectInflater` (object-inflater.ts): one zlib stream of a pack into exactly the size its
 * pack header states, and where the stream ended. Neither fflate nor `DecompressionStream`
 * reports that end, and pako (which does) allocates fresh Huffman tables for every stream: with
 * thousands of small objects that dominated indexing in Chromium (5,400 objects: pako 600-1,200
 * ms, fflate 440-540 ms, measured). This is fflate's inflate loop (MIT,
 * github.com/101arrowz/fflate) reduced to one shape: one stream, a known output size, and
 * decoding tables reused between streams. It is the browser's inflater; Node has zlib's
 * (`zlib-inflate-object.ts`), faster there (bench/sources-pack.bench.ts).
 *
 * The Adler-32 trailer is skipped, not checked: the pack's SHA-1 covers every byte, and each
 * object's id is computed from what this returns.
 */
import {
  checkInflatable,
  inflateError as corrupt,
  MAX_OBJECT_BYTES,
  type InflatedObject,
  type ObjectInflater,
  type ObjectInflaterOptions,
} from './object-inflater.ts';

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

/**
 * A canonical Huffman code as decoding tables. `map[next bits input bits]` is
 * `(symbol << 4) | code length` for codes of at most `bits` bits; 0 means a longer code (decoded
 * by `decodeLong` from `count` and `symbols`) or no code at all.
 */
interface HuffmanTable {
  map: Uint16Array;
  bits: number;
  /** Codes per length, index 1-15. */
  count: Uint16Array;
  /** Symbols ordered by code length, then value: the canonical order. */
  symbols: Uint16Array;
  /** Code space left unused (RFC 1951 §3.2.2): 0 for a complete code. */
  left: number;
  /** How many symbols have a code. */
  codes: number;
}

function huffmanTable(rootBits: number, symbols: number): HuffmanTable {
  return {
    map: new Uint16Array(1 << rootBits),
    bits: 0,
    count: new Uint16Array(16),
    symbols: new Uint16Array(symbols),
    left: 0,
    codes: 0,
  };
}

const offsets = new Uint16Array(16);

/**
 * Build `table` for these code lengths, its map at most `rootBits` wide. An over-subscribed
 * set (`left < 0`) is left unbuilt: filling it would cost up to 2^15 writes per symbol, which is
 * how a few hostile bytes could keep the Worker busy for hours. Longer codes go to the slow path
 * instead of a 2^15 map, so that no block costs more than 2^rootBits writes to set up.
 */
function buildTable(lengths: Uint8Array, rootBits: number, table: HuffmanTable): HuffmanTable {
  const { count, symbols, map } = table;
  count.fill(0);
  for (const l of lengths) count[l] = (count[l] as number) + 1;
  let left = 1;
  let maxBits = 0;
  for (let l = 1; l < 16; l++) {
    left = (left << 1) - (count[l] as number);
    if (left < 0) break;
    if (count[l]) maxBits = l;
  }
  table.left = left < 0 ? -1 : left;
  table.codes = lengths.length - (count[0] as number);
  if (left < 0) return table;
  offsets[1] = 0;
  for (let l = 1; l < 15; l++) offsets[l + 1] = (offsets[l] as number) + (count[l] as number);
  for (let symbol = 0; symbol < lengths.length; symbol++) {
    const l = lengths[symbol] as number;
    if (!l) continue;
    const o = offsets[l] as number;
    symbols[o] = symbol;
    offsets[l] = o + 1;
  }
  const bits = Math.min(maxBits, rootBits);
  table.bits = bits;
  // A complete code whose codes all fit writes every entry below; otherwise clear the map first.
  if (left || maxBits > bits) map.fill(0, 0, 1 << bits);
  const shift = 15 - bits;
  let code = 0;
  let index = 0;
  for (let l = 1; l <= bits; l++) {
    const free = bits - l;
    for (let n = count[l] as number; n > 0; n--) {
      const entry = ((symbols[index++] as number) << 4) | l;
      let v = code << free;
      for (const last = v | ((1 << free) - 1); v <= last; v++) {
        map[(REVERSE[v] as number) >> shift] = entry;
      }
      code++;
    }
    code <<= 1;
  }
  return table;
}

/**
 * Decode a code longer than `table.bits` one bit at a time (as zlib's puff.c does): such codes
 * are the rare symbols, so this path is cold. Returns `(symbol << 4) | length`, or 0 for no code.
 */
function decodeLong(d: Uint8Array, pos: number, table: HuffmanTable): number {
  const { count, symbols } = table;
  let code = 0;
  let first = 0;
  let index = 0;
  for (let l = 1; l < 16; l++, pos++) {
    code |= ((d[pos >>> 3] as number) >> (pos & 7)) & 1;
    const n = count[l] as number;
    if (code - n < first) return ((symbols[index + code - first] as number) << 4) | l;
    index += n;
    first = (first + n) << 1;
    code <<= 1;
  }
  return 0;
}

/**
 * Whether a code may leave code space unused. As in zlib's `inflate_table`: only a literal/length
 * or distance code of at most one code of length 1 (RFC 1951 §3.2.7: "one distance code of one
 * bit" when a block has one distance, or none when it has only literals).
 */
function acceptable(table: HuffmanTable): boolean {
  return table.left === 0 || (table.left > 0 && table.codes <= 1 && table.bits <= 1);
}

const FIXED_LENGTHS = new Uint8Array(288)
  .fill(8, 0, 144)
  .fill(9, 144, 256)
  .fill(7, 256, 280)
  .fill(8, 280);
const FIXED_LIT = buildTable(FIXED_LENGTHS, 9, huffmanTable(9, 288));
const FIXED_DIST = buildTable(new Uint8Array(32).fill(5), 5, huffmanTable(5, 32));

// Tables of dynamic blocks, reused by every stream (decoding is synchronous). Root widths as
// zlib's (9 and 6 bits there, one more here since long codes take the slow path, not a subtable).
const LIT_ROOT_BITS = 10;
const DIST_ROOT_BITS = 8;
const lit = huffmanTable(LIT_ROOT_BITS, 288);
const dist = huffmanTable(DIST_ROOT_BITS, 32);
const codeLengthCode = huffmanTable(7, 19);
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

/** Inflate the zlib stream at `at` of `pack` into `size` bytes, `size` at most `maxSize`. */
function inflateAt(pack: Uint8Array, at: number, size: number, maxSize: number): InflatedObject {
  checkInflatable(pack, at, size, maxSize);
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
      if (s > pack.length) throw corrupt(at, 'is cut off');
      const length = (d[s - 4] as number) | ((d[s - 3] as number) << 8);
      const nlength = (d[s - 2] as number) | ((d[s - 1] as number) << 8);
      if ((length ^ 0xffff) !== nlength) throw corrupt(at, 'has invalid stored block lengths');
      if (s + length > pack.length) throw corrupt(at, 'is cut off');
      if (bt + length > size)
        throw corrupt(at, `inflates to more than the ${size} bytes its header states`);
      out.set(d.subarray(s, s + length), bt);
      bt += length;
      pos = (s + length) * 8;
      continue;
    }
    let lt: HuffmanTable;
    let dt: HuffmanTable;
    if (type === 1) {
      lt = FIXED_LIT;
      dt = FIXED_DIST;
    } else if (type === 2) {
      const hLit = bits(d, pos, 31) + 257;
      const hDist = bits(d, pos + 5, 31) + 1;
      const hcLen = bits(d, pos + 10, 15) + 4;
      if (hLit > 286 || hDist > 30) throw corrupt(at, 'has too many length or distance codes');
      const total = hLit + hDist;
      pos += 14;
      codeLengthLengths.fill(0);
      for (let i = 0; i < hcLen; i++) {
        codeLengthLengths[CODE_LENGTH_ORDER[i] as number] = bits(d, pos + i * 3, 7);
      }
      pos += hcLen * 3;
      const clt = buildTable(codeLengthLengths, 7, codeLengthCode);
      if (clt.left !== 0) throw corrupt(at, 'has an invalid code length code');
      const clm = clt.map;
      const clMask = (1 << clt.bits) - 1;
      for (let i = 0; i < total;) {
        const r = clm[bits(d, pos, clMask)] as number;
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
      if (!dynamicLengths[256]) throw corrupt(at, 'has no end-of-block code');
      lt = buildTable(dynamicLengths.subarray(0, hLit), LIT_ROOT_BITS, lit);
      if (!acceptable(lt)) throw corrupt(at, 'has an invalid literal/length code set');
      dt = buildTable(dynamicLengths.subarray(hLit, total), DIST_ROOT_BITS, dist);
      if (!acceptable(dt)) throw corrupt(at, 'has an invalid distance code set');
    } else {
      throw corrupt(at, 'has an invalid deflate block type');
    }
    if (pos > limit) throw corrupt(at, 'is cut off');
    const lm = lt.map;
    const dm = dt.map;
    const lms = (1 << lt.bits) - 1;
    const dms = (1 << dt.bits) - 1;
    for (;;) {
      let c = lm[bits16(d, pos) & lms] as number;
      if (!c) c = decodeLong(d, pos, lt);
      const sym = c >> 4;
      if (!c || sym > 285) throw corrupt(at, 'has an invalid literal/length code');
      pos += c & 15;
      if (pos > limit) throw corrupt(at, 'is cut off');
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
        let dc = dm[bits16(d, pos) & dms] as number;
        if (!dc) dc = decodeLong(d, pos, dt);
        const dsym = dc >> 4;
        if (!dc || dsym > 29) throw corrupt(at, 'has an invalid distance code');
        pos += dc & 15;
        let distance = DIST_BASE[dsym] as number;
        if (dsym > 3) {
          const b = DIST_EXTRA[dsym] as number;
          distance += bits16(d, pos) & ((1 << b) - 1);
          pos += b;
        }
        if (pos > limit) throw corrupt(at, 'is cut off');
        if (distance > bt) throw corrupt(at, 'refers back before its start');
        const end = bt + add;
        if (end > size)
          throw corrupt(at, `inflates to more than the ${size} bytes its header states`);
        for (; bt < end; bt++) out[bt] = out[bt - distance] as number;
      }
    }
  }
  if (bt !== size) throw corrupt(at, `inflates to ${bt} bytes, not the ${size} its header states`);
  const end = ((pos + 7) >>> 3) + 4;
  if (end > pack.length) throw corrupt(at, 'is cut off');
  return { data: out, end };
}

/**
 * An inflater for the objects of packs (the tables it reuses are shared: decoding is synchronous).
 * `maxObjectBytes` bounds the size an object header may state, so a hostile header cannot make
 * it allocate more.
 */
export function createObjectInflater(options: ObjectInflaterOptions = {}): ObjectInflater {
  const maxSize = options.maxObjectBytes ?? MAX_OBJECT_BYTES;
  return (pack, at, size) => inflateAt(pack, at, size, maxSize);
}
