/**
 * Differential fuzzing of both pack inflaters (ours, and node:zlib's behind the same checks)
 * against zlib itself, at the counts the Security model in docs/architecture.md cites, kept in
 * `npm test` with fixed seeds.
 *
 * 21,000 valid streams, seed 0x1f1a7e: each inflater must give zlib's bytes and stop exactly where
 * each stream ends (a pack has no index of compressed lengths: the next object starts there).
 * 10,000 corrupted streams, seed 0xbadf1a7: it must either refuse with a `SourcesPackError` or
 * give exactly what zlib gives; never another error, never other bytes. The one documented
 * difference: the Adler-32 trailer is not checked (the pack's SHA-1 and each object's id cover
 * the bytes), so where zlib's only complaint is the checksum, the deflate data must still
 * inflate to what zlib's raw inflate gives.
 */
import {
  constants,
  deflateRawSync,
  deflateSync,
  inflateRawSync,
  inflateSync,
  type ZlibOptions,
} from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createObjectInflater } from './inflate-object.ts';
import type { ObjectInflater } from './object-inflater.ts';
import { createZlibObjectInflater } from './zlib-inflate-object.ts';
import { SourcesPackError } from '../../errors/sources-errors.ts';
import { seededRandom, type SeededRandom } from '../../../../test/support/seeded-random.ts';

const VALID_STREAMS = 21_000;
const VALID_SEED = 0x1f1a7e;
const CORRUPT_STREAMS = 10_000;
const CORRUPT_SEED = 0xbadf1a7;

/** Both inflaters of the seam (object-inflater.ts): they must accept and refuse alike. */
const INFLATERS: [string, ObjectInflater][] = [
  ['ours', createObjectInflater()],
  ['node:zlib', createZlibObjectInflater()],
];

const STRATEGIES = [
  constants.Z_DEFAULT_STRATEGY,
  constants.Z_FILTERED,
  constants.Z_HUFFMAN_ONLY,
  constants.Z_RLE,
  constants.Z_FIXED,
] as const;

const WORDS = [
  ...'the pack object delta tree blob commit function return const { } ( );'.split(' '),
  ...['\n', '\t', 'import', 'export', 'ünïcödé', '0123456789'],
];

/**
 * Content of one of the shapes deflate treats differently: nothing, a few bytes, long runs
 * (Z_RLE, maximal 258-byte matches), short repeated patterns, noise (stored blocks), text
 * (dynamic Huffman blocks), and rarely sizes around the 32 KiB window and the 65,535-byte
 * stored block, with a repeat at the farthest distance the window allows.
 */
function content(random: SeededRandom): Uint8Array {
  const kind = random.below(100);
  if (kind < 4) return new Uint8Array(0);
  if (kind < 20) return random.bytes(random.between(1, 64));
  if (kind < 30) return new Uint8Array(random.between(1, 4000)).fill(random.below(256));
  if (kind < 42) {
    const pattern = random.bytes(random.between(2, 16));
    const out = new Uint8Array(random.between(1, 3000));
    for (let i = 0; i < out.length; i++) out[i] = pattern[i % pattern.length] as number;
    return out;
  }
  if (kind < 55) return random.bytes(random.between(65, 2048));
  if (kind < 97) {
    const words: string[] = [];
    for (let n = random.between(1, 400); n > 0; n--) words.push(random.pick(WORDS));
    // Random bytes sprinkled in, so literal codes for high bytes appear too.
    const text = new TextEncoder().encode(words.join(random.chance(0.5) ? ' ' : ''));
    for (let n = random.below(4); n > 0 && text.length; n--) {
      text[random.below(text.length)] = random.below(256);
    }
    return text;
  }
  return large(random);
}

/** Sizes that straddle the window and stored-block limits; noise so that blocks stay stored. */
function large(random: SeededRandom): Uint8Array {
  const size = random.pick([32_767, 32_768, 32_769, 65_534, 65_535, 65_536, 65_537, 98_304]);
  const out = random.bytes(size);
  // The first 258 bytes again exactly 32,768 - k bytes later: a match at (or just inside) the
  // farthest distance deflate may use.
  const distance = 32_768 - random.below(3);
  if (size > distance + 258) out.copyWithin(distance, 0, 258);
  return out;
}

function options(random: SeededRandom): ZlibOptions {
  return {
    level: random.between(-1, 9),
    strategy: random.pick(STRATEGIES),
    // zlib turns a deflate window of 8 bits into 9; every CINFO from 1 to 7 is written.
    windowBits: random.chance(0.6) ? 15 : random.between(8, 15),
    memLevel: random.chance(0.6) ? 8 : random.between(1, 9),
  };
}

const ADLER_MOD = 65_521;

/** Adler-32 (RFC 1950), the trailer of a stream assembled from raw deflate segments. */
function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length;) {
    for (const end = Math.min(data.length, i + 3800); i < end; i++) {
      a += data[i] as number;
      b += a;
    }
    a %= ADLER_MOD;
    b %= ADLER_MOD;
  }
  return ((b << 16) | a) >>> 0;
}

/**
 * A zlib stream built from several raw deflate segments, each with its own settings and ended
 * by a sync or full flush (an empty stored block, byte-aligned), so non-final blocks of every
 * type follow one another, as a streaming compressor writes them.
 */
function segmented(data: Uint8Array, random: SeededRandom): Uint8Array {
  const cuts = Array.from({ length: random.between(1, 3) }, () => random.below(data.length + 1));
  cuts.sort((a, b) => a - b);
  const parts: Uint8Array[] = [Uint8Array.of(0x78, 0x9c)];
  let from = 0;
  for (const cut of cuts) {
    const flush = random.chance(0.5) ? constants.Z_SYNC_FLUSH : constants.Z_FULL_FLUSH;
    parts.push(
      deflateRawSync(data.subarray(from, cut), { ...options(random), finishFlush: flush }),
    );
    from = cut;
  }
  parts.push(deflateRawSync(data.subarray(from), options(random)));
  const check = new Uint8Array(4);
  new DataView(check.buffer).setUint32(0, adler32(data));
  parts.push(check);
  return Buffer.concat(parts);
}

function stream(data: Uint8Array, random: SeededRandom): Uint8Array {
  if (random.chance(0.12)) return segmented(data, random);
  return new Uint8Array(deflateSync(data, options(random)));
}

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

describe.each(INFLATERS)(
  `inflating ${VALID_STREAMS} zlib streams against zlib (seed ${VALID_SEED}), %s`,
  (_, inflate) => {
    it('gives the bytes zlib gives and finds where every stream ends', () => {
      const random = seededRandom(VALID_SEED);
      let streams = 0;
      const kinds = { empty: 0, large: 0, stored: 0 };
      while (streams < VALID_STREAMS) {
        // A few streams back to back, as in a pack, behind 0-3 bytes of other data and before a
        // few bytes of the next object: the end must come from the stream, not the buffer.
        const batch = Array.from(
          { length: Math.min(random.between(1, 6), VALID_STREAMS - streams) },
          () => {
            const data = content(random);
            return { data, zlib: stream(data, random) };
          },
        );
        const lead = random.bytes(random.below(4));
        const tail = random.bytes(random.below(8));
        const pack = new Uint8Array(Buffer.concat([lead, ...batch.map((b) => b.zlib), tail]));
        let at = lead.length;
        for (const { data, zlib } of batch) {
          // zlib itself is the reference: the generator's own copy of the data is only a check
          // that zlib and the generator agree.
          const expected = inflateSync(zlib);
          expect(same(expected, data), `stream ${streams}`).toBe(true);
          const out = inflate(pack, at, expected.length);
          if (!same(out.data, expected) || out.end !== at + zlib.length) {
            expect.fail(
              `stream ${streams} (seed ${VALID_SEED}): ${out.data.length} bytes ending at ` +
                `${out.end}, zlib: ${expected.length} bytes ending at ${at + zlib.length}`,
            );
          }
          at += zlib.length;
          streams += 1;
          if (data.length === 0) kinds.empty += 1;
          if (data.length > 32_000) kinds.large += 1;
          // BTYPE 00 in the first block header: a stored block.
          if (((zlib[2] ?? 0) & 0b110) === 0) kinds.stored += 1;
        }
      }
      expect(streams).toBe(VALID_STREAMS);
      // The generator reached the shapes the suite exists for (not hard-coded: drawn from the seed).
      expect(kinds.empty).toBeGreaterThan(100);
      expect(kinds.large).toBeGreaterThan(20);
      expect(kinds.stored).toBeGreaterThan(500);
    });
  },
);

/** Our inflater's reasons for the corrupted streams, pinned by the seed. */
const OUR_REASONS: Record<string, number> = {
  'has an invalid code length code': 565,
  'has an invalid deflate block type': 218,
  'has an invalid distance code': 77,
  'has an invalid distance code set': 72,
  'has an invalid literal/length code': 18,
  'has an invalid literal/length code set': 232,
  'has invalid stored block lengths': 562,
  'has no end-of-block code': 142,
  'has too many code lengths': 524,
  'has too many length or distance codes': 32,
  'inflates to N bytes, not the N its header states': 1,
  'inflates to more than the N bytes its header states': 156,
  'is cut off': 1690,
  'is not a zlib stream': 1644,
  'refers back before its start': 979,
  'repeats a code length before the first': 1,
};

/** What zlib makes of a stream: its bytes and where it stopped, or its complaint. */
type Verdict =
  | { ok: true; data: Uint8Array; end: number }
  | { ok: false; message: string; raw?: { data: Uint8Array; end: number } };

interface ZlibEngineResult {
  buffer: Buffer;
  engine: { bytesWritten: number };
}

/** `info: true` makes zlib return its engine too, whose `bytesWritten` is the input consumed. */
function withInfo(run: (info: ZlibOptions) => unknown): { data: Uint8Array; consumed: number } {
  const result = run({ info: true }) as ZlibEngineResult;
  if (!(result.buffer instanceof Uint8Array) || typeof result.engine.bytesWritten !== 'number') {
    throw new Error('node:zlib no longer returns { buffer, engine } with info: true');
  }
  return { data: new Uint8Array(result.buffer), consumed: result.engine.bytesWritten };
}

function zlibVerdict(stream: Uint8Array): Verdict {
  try {
    const { data, consumed } = withInfo((o) => inflateSync(stream, o));
    return { ok: true, data, end: consumed };
  } catch (err) {
    const message = (err as Error).message;
    if (message !== 'incorrect data check') return { ok: false, message };
    // Only the Adler-32 trailer is wrong: the deflate data itself, as raw inflate reads it.
    const { data, consumed } = withInfo((o) => inflateRawSync(stream.subarray(2), o));
    return { ok: false, message, raw: { data, end: 2 + consumed + 4 } };
  }
}

/** A valid stream to corrupt: small, of every block type and flush pattern. */
function corruptible(random: SeededRandom): Uint8Array {
  const data = random.chance(0.2)
    ? random.bytes(random.between(0, 300))
    : new TextEncoder().encode(
        Array.from({ length: random.between(0, 60) }, () => random.pick(WORDS)).join(' '),
      );
  return stream(data, random);
}

function mutate(original: Uint8Array, random: SeededRandom): { bytes: Uint8Array; how: string } {
  const b = Uint8Array.from(original);
  // Most damage lands where the decoder's checks are: the zlib header and first block header,
  // and a dynamic block's code tables (about the first 50 bytes of these small streams).
  const position = () => {
    const zone = random.below(3);
    if (zone === 0) return random.below(Math.min(b.length, 4));
    if (zone === 1) return random.below(Math.min(b.length, 50));
    return random.below(b.length);
  };
  switch (random.below(6)) {
    case 0: {
      const at = position();
      b[at] = (b[at] as number) ^ (1 << random.below(8));
      return { bytes: b, how: `bit flip at ${at}` };
    }
    case 1: {
      const at = position();
      b[at] = random.below(256);
      return { bytes: b, how: `byte set at ${at}` };
    }
    case 2: {
      const length = random.below(b.length);
      return { bytes: b.subarray(0, length), how: `cut to ${length}` };
    }
    case 3: {
      const at = position();
      const junk = random.bytes(random.between(1, 3));
      return {
        bytes: Buffer.concat([b.subarray(0, at), junk, b.subarray(at)]),
        how: `insert at ${at}`,
      };
    }
    case 4: {
      const at = position();
      const count = random.between(1, 3);
      return {
        bytes: Buffer.concat([b.subarray(0, at), b.subarray(at + count)]),
        how: `delete at ${at}`,
      };
    }
    default: {
      const at = position();
      const run = random.bytes(random.between(2, 8));
      b.set(run.subarray(0, Math.max(0, b.length - at)), at);
      return { bytes: b, how: `overwrite at ${at}` };
    }
  }
}

describe.each(INFLATERS)(
  `inflating ${CORRUPT_STREAMS} corrupted zlib streams (seed ${CORRUPT_SEED}), %s`,
  (name, inflate) => {
    it('refuses them with a SourcesPackError or gives exactly what zlib gives', () => {
      const random = seededRandom(CORRUPT_SEED);
      const tally = { sameAsZlib: 0, adlerOnly: 0, refusedLikeZlib: 0 };
      const reasons: Record<string, number> = {};
      for (let n = 0; n < CORRUPT_STREAMS; n++) {
        const original = corruptible(random);
        const size = inflateSync(original).length;
        const { bytes, how } = mutate(original, random);
        const where = `corrupted stream ${n} (seed ${CORRUPT_SEED}, ${how})`;
        // One byte of something else in front: offsets must be relative to `at`.
        const pack = Buffer.concat([Buffer.of(0x42), bytes]);
        const zlib = zlibVerdict(bytes);
        const run = (stated: number) => {
          try {
            return inflate(pack, 1, stated);
          } catch (err) {
            if (!(err instanceof SourcesPackError) || err.code !== 'SourcesPackError') {
              expect.fail(`${where}: threw ${String(err)}, not a SourcesPackError`);
            }
            return err;
          }
        };
        const accepted = zlib.ok ? zlib : zlib.raw;
        if (!accepted) {
          const out = run(size);
          if (!(out instanceof SourcesPackError)) {
            const why = zlib.ok ? '' : zlib.message;
            expect.fail(`${where}: zlib refuses it ("${why}"), we inflated it`);
          }
          tally.refusedLikeZlib += 1;
          // Which check refused it, without the offset and sizes: "is cut off", "has an invalid
          // distance code", ...
          const reason = out.data.reason
            .replace(/^the object at offset \d+ /, '')
            .replace(/\d+/g, 'N');
          reasons[reason] = (reasons[reason] ?? 0) + 1;
          continue;
        }
        const out = run(accepted.data.length);
        if (out instanceof SourcesPackError) {
          expect.fail(`${where}: zlib inflates it, we refused: ${out.message}`);
        }
        if (!same(out.data, accepted.data) || out.end !== 1 + accepted.end) {
          expect.fail(`${where}: other bytes or end than zlib's`);
        }
        if (zlib.ok) tally.sameAsZlib += 1;
        else tally.adlerOnly += 1;
      }
      // Pinned by the seed, the same for both inflaters: a change in the generator or in what an
      // inflater accepts shows here.
      expect(tally).toEqual({
        sameAsZlib: 40,
        adlerOnly: 3047,
        refusedLikeZlib: 6913,
      });
      // Which check speaks first differs between the two; each of zlib's messages must have
      // been given our words (zlib-inflate-object.ts), so a reason reads the same either way.
      if (name === 'ours') expect(reasons).toEqual(OUR_REASONS);
      else expect(Object.keys(reasons).filter((r) => !(r in OUR_REASONS))).toEqual([]);
    });
  },
);
