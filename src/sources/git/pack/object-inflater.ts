/**
 * The seam between the pack readers and a zlib implementation: inflate the stream at `at` of a
 * pack into exactly the size its pack header states, and say where the stream ended (a pack has
 * no index of compressed lengths, so the next object starts where this one's stream stops).
 * Two implementations: ours (`inflate-object.ts`, everywhere; the fastest in Chromium) and
 * node:zlib's (`zlib-inflate-object.ts`, Node only). Both refuse the same streams: the checks a
 * stated size and the zlib header need are here, and neither checks the Adler-32 trailer (the
 * pack's SHA-1 covers every byte, and each object's id is computed from what they return).
 */
import { SourcesPackError } from '../../errors/sources-errors.ts';

export interface InflatedObject {
  data: Uint8Array;
  /** Offset just past the zlib stream (its Adler-32 trailer included). */
  end: number;
}

export type ObjectInflater = (pack: Uint8Array, at: number, size: number) => InflatedObject;

export interface ObjectInflaterOptions {
  /** Bound on the size an object header may state (default `MAX_OBJECT_BYTES`). */
  maxObjectBytes?: number;
}

/** The largest object inflated unless the caller says otherwise: as big as a whole checkout may be. */
export const MAX_OBJECT_BYTES = 1024 * 1024 * 1024;

/**
 * DEFLATE's densest output: a 258-byte match per 2 bits (a 1-bit length code and a 1-bit distance
 * code), so 1,032 bytes per input byte, plus one block's worth of slack for the header bytes.
 */
const MAX_RATIO = 1032;
const RATIO_SLACK = 1024;

export function inflateError(at: number, what: string): SourcesPackError {
  return new SourcesPackError({ reason: `the object at offset ${at} ${what}` });
}

/**
 * Refuse, before anything is allocated, a stated size that is no size, more than `maxSize`, or
 * more than the rest of the pack could inflate to; and a stream whose zlib header (RFC 1950 §2.2)
 * is not deflate with a window DEFLATE allows, fails its check bits, or asks for a dictionary.
 */
export function checkInflatable(pack: Uint8Array, at: number, size: number, maxSize: number): void {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw inflateError(at, `states an impossible size (${size})`);
  }
  if (size > maxSize) {
    throw inflateError(
      at,
      `states a size of ${size} bytes, more than the ${maxSize} this runner inflates; ` +
        'if the repository really holds such a file, keep it out of the fetch (Git LFS)',
    );
  }
  if (size > MAX_RATIO * Math.max(0, pack.length - at) + RATIO_SLACK) {
    throw inflateError(
      at,
      `states a size of ${size} bytes, more than its ${pack.length - at} remaining pack bytes ` +
        'can inflate to',
    );
  }
  const cmf = pack[at] ?? 0;
  const flg = pack[at + 1] ?? 0;
  if ((cmf & 0x0f) !== 8 || cmf >> 4 > 7 || ((cmf << 8) | flg) % 31 || flg & 0x20) {
    throw inflateError(at, 'is not a zlib stream');
  }
}
