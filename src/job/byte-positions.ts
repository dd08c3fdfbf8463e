/**
 * Positions of one byte, found by a masking stage's full search of its input and shared with a
 * later stage of the same masker that searches for the same byte (`=` ends both the secret URL
 * keys and the `_gitlab_session=` prefix). The later stage's input pieces are views of the
 * same memory (or shared constants), so it looks positions up instead of scanning again.
 *
 * Valid during one masker call only: the masker clears it before and after each, since the
 * caller may reuse a chunk's memory once the call returns. Nothing in between writes to the
 * arrays the stages pass on (they only take views and make fresh joins).
 */
interface Found {
  buffer: ArrayBufferLike;
  /** The searched view, as byte offsets into `buffer`. */
  from: number;
  to: number;
  /** Offsets into `buffer` of every occurrence in `from..to`, ascending. */
  at: number[];
}

export class BytePositions {
  readonly byte: number;
  #found: Found[] = [];

  constructor(byte: number) {
    this.byte = byte;
  }

  /** Forget everything recorded (the start and the end of a masker call). */
  clear(): void {
    this.#found.length = 0;
  }

  /** Record that `positions` (indices into `buf`, ascending) are all of the byte in `buf`. */
  record(buf: Uint8Array, positions: readonly number[]): void {
    const base = buf.byteOffset;
    this.#found.push({
      buffer: buf.buffer,
      from: base,
      to: base + buf.length,
      at: positions.map((p) => base + p),
    });
  }

  /**
   * All positions of the byte in `buf` (indices into `buf`, ascending) when a recorded search
   * covered it, else null (search it yourself).
   */
  lookup(buf: Uint8Array): number[] | null {
    const from = buf.byteOffset;
    const to = from + buf.length;
    for (const found of this.#found) {
      if (found.buffer !== buf.buffer || from < found.from || to > found.to) continue;
      const out: number[] = [];
      for (const p of found.at) if (p >= from && p < to) out.push(p - from);
      return out;
    }
    return null;
  }
}
