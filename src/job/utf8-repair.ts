/**
 * Streaming repair of invalid UTF-8, for the trace buffer (docs/runner-protocol.md §6.6).
 *
 * Each maximal invalid subpart becomes one U+FFFD, as the WHATWG decoder (and so the browser
 * showing the log) does. A sequence split across writes is held (at most 3 bytes) until its
 * end arrives, so valid text is never damaged by where a chunk happened to end.
 */

import { concat } from '../bytes/concat-bytes.ts';

const REPLACEMENT = new Uint8Array([0xef, 0xbf, 0xbd]);
const EMPTY = new Uint8Array(0);
const NO_WORDS = new Uint32Array(0);

/** How many bytes a sequence starting with `lead` has, or 0 when `lead` cannot start one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** Is `byte` acceptable at position `index` (1-based) of a sequence that starts with `lead`? */
function continues(lead: number, index: number, byte: number): boolean {
  if (index === 1) {
    if (lead === 0xe0) return byte >= 0xa0 && byte <= 0xbf;
    if (lead === 0xed) return byte >= 0x80 && byte <= 0x9f;
    if (lead === 0xf0) return byte >= 0x90 && byte <= 0xbf;
    if (lead === 0xf4) return byte >= 0x80 && byte <= 0x8f;
  }
  return byte >= 0x80 && byte <= 0xbf;
}

/**
 * First index ≥ `from` holding a byte ≥ 0x80, or `b.length`. Checks four bytes at a time
 * through an aligned 32-bit view: the trace is mostly ASCII and this is its hot loop.
 */
function nextNonAscii(b: Uint8Array, words: Uint32Array, wordStart: number, from: number) {
  const n = b.length;
  const wordEnd = wordStart + words.length * 4;
  let i = from;
  // Byte by byte up to a word boundary inside the aligned region (or to the end).
  while (i < n && (i < wordStart || i >= wordEnd || ((i - wordStart) & 3) !== 0)) {
    if ((b[i] ?? 0) >= 0x80) return i;
    i++;
  }
  if (i < wordEnd) {
    let k = (i - wordStart) >> 2;
    while (k < words.length && ((words[k] ?? 0) & 0x80808080) === 0) k++;
    i = wordStart + k * 4;
  }
  while (i < n && (b[i] ?? 0) < 0x80) i++;
  return i;
}

/** An aligned 32-bit view over the middle of `b`, and where it starts (index into `b`). */
function wordView(b: Uint8Array): { words: Uint32Array; wordStart: number } {
  const wordStart = (4 - (b.byteOffset & 3)) & 3;
  const count = b.length > wordStart ? (b.length - wordStart) >> 2 : 0;
  if (count === 0) return { words: NO_WORDS, wordStart: 0 };
  return { words: new Uint32Array(b.buffer, b.byteOffset + wordStart, count), wordStart };
}

export class Utf8Repair {
  #held: Uint8Array = EMPTY;

  /** Valid UTF-8 for everything in `bytes` except an unfinished final sequence, which is held. */
  write(bytes: Uint8Array): Uint8Array {
    const input = this.#held.length ? concat([this.#held, bytes]) : bytes;
    this.#held = EMPTY;
    const n = input.length;
    // A 32-bit view costs more than it saves on short pieces.
    const { words, wordStart } = n >= 64 ? wordView(input) : { words: NO_WORDS, wordStart: 0 };
    let i = nextNonAscii(input, words, wordStart, 0);
    // Fast path: plain ASCII and well-formed text are returned without copying.
    if (i === n) return input;
    const parts: Uint8Array[] = [];
    let clean = 0;
    while (i < n) {
      const lead = input[i] ?? 0;
      if (lead < 0x80) {
        i = nextNonAscii(input, words, wordStart, i);
        continue;
      }
      const length = sequenceLength(lead);
      if (length === 0) {
        parts.push(input.subarray(clean, i), REPLACEMENT);
        clean = ++i;
        continue;
      }
      let k = 1;
      while (k < length && i + k < n && continues(lead, k, input[i + k] ?? 0)) k++;
      if (k === length) {
        i += length;
      } else if (i + k === n) {
        // Unfinished but so far valid: wait for the rest.
        this.#held = input.slice(i);
        break;
      } else {
        parts.push(input.subarray(clean, i), REPLACEMENT);
        clean = i += k;
      }
    }
    const end = n - this.#held.length;
    if (parts.length === 0) return clean === 0 && end === n ? input : input.subarray(clean, end);
    parts.push(input.subarray(clean, end));
    return concat(parts);
  }

  /** The end of the stream: an unfinished sequence becomes U+FFFD. */
  end(): Uint8Array {
    const held = this.#held;
    this.#held = EMPTY;
    return held.length ? REPLACEMENT.slice() : EMPTY;
  }
}
