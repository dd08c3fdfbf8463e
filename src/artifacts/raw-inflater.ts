/**
 * The seam through which the extractor inflates a zip entry (RFC 1951 raw deflate). The default
 * is fflate's, which runs anywhere; Node passes node:zlib's (`src/cli`'s `zlibRawInflater`),
 * about twice as fast on node_modules-sized files, while src/artifacts stays free of node:
 * imports. Either way the extractor, not the inflater, checks sizes and CRC-32s.
 */
import { Inflate, inflateSync } from 'fflate';

/**
 * Inflate one entry's `raw` bytes into at most `max` bytes: the entry's bytes, or `null` as soon
 * as they pass `max` (never the first `max` of them: a truncated file is not the file). Throws
 * when `raw` is not a valid deflate stream; the extractor names the entry.
 */
export type RawInflater = (raw: Uint8Array, max: number) => Uint8Array | null;

/** Entries up to this compressed size inflate in one call (see `fflateRawInflater`). */
const ONE_SHOT_COMPRESSED = 64 * 1024;
/** Compressed bytes per step of a larger entry: deflate expands at most ~1032×. */
const INFLATE_STEP = 16 * 1024;

/**
 * A small entry inflates in one call into a buffer one byte larger than it may be: fflate then
 * allocates nothing (Chromium spends ~8x the inflating on growing buffers for node_modules-sized
 * files, `npm run bench`), and output past the buffer is dropped, so a full buffer means the
 * entry passes `max`. That work is bounded by the input: at most ~1,032 times
 * `ONE_SHOT_COMPRESSED` bytes, about 66 MB, decoded and dropped for a lying entry. A larger
 * entry inflates in steps and stops at the first step that passes `max`.
 */
export const fflateRawInflater: RawInflater = (raw, max) => {
  if (raw.byteLength <= ONE_SHOT_COMPRESSED) {
    const data = inflateSync(raw, { out: new Uint8Array(max + 1) });
    return data.byteLength > max ? null : data;
  }
  const out = new Uint8Array(max);
  let size = 0;
  let past = false;
  const inflate = new Inflate((chunk) => {
    if (past || size + chunk.byteLength > max) {
      past = true;
      return;
    }
    out.set(chunk, size);
    size += chunk.byteLength;
  });
  for (let at = 0; at < raw.byteLength && !past; at += INFLATE_STEP) {
    const end = Math.min(at + INFLATE_STEP, raw.byteLength);
    inflate.push(raw.subarray(at, end), end === raw.byteLength);
  }
  return past ? null : out.subarray(0, size);
};
