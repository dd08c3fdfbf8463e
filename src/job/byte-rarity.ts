/**
 * Which byte of a pattern to search for first. The masking stages find candidates with the
 * engine's native `Uint8Array#indexOf` and verify around each hit; searching for a pattern's
 * least common byte (by a rough ranking for build logs) keeps hits, and so work, rare.
 */

const COMMON_LETTERS = 'etaoinshrdlcu';

/** Rough commonness of a byte in build output, from letter frequencies; higher is commoner. */
export function commonness(b: number): number {
  if (b === 0x20 || b === 0x0a) return 50;
  if (b >= 0x61 && b <= 0x7a) return COMMON_LETTERS.includes(String.fromCharCode(b)) ? 40 : 30;
  if ((b >= 0x30 && b <= 0x39) || b === 0x2e || b === 0x2d || b === 0x2f || b === 0x5f) return 25;
  if (b === 0x2c || b === 0x3a) return 20;
  if (b >= 0x41 && b <= 0x5a) {
    return COMMON_LETTERS.includes(String.fromCharCode(b | 0x20)) ? 15 : 10;
  }
  return 5;
}

/** Index of the least common byte of `pattern` (the first such one). */
export function anchorIndex(pattern: Uint8Array): number {
  let anchor = 0;
  for (let k = 1; k < pattern.length; k++) {
    if (commonness(pattern[k] ?? 0) < commonness(pattern[anchor] ?? 0)) anchor = k;
  }
  return anchor;
}

/** Does `pattern` occur in `buf` at `at` (entirely inside `buf`)? */
export function occursAt(buf: Uint8Array, at: number, pattern: Uint8Array): boolean {
  if (at < 0 || at + pattern.length > buf.length) return false;
  for (let k = 0; k < pattern.length; k++) if (buf[at + k] !== pattern[k]) return false;
  return true;
}
