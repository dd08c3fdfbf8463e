/**
 * The shape shared by the masking stages: a byte stream rewritten chunk by chunk, holding back
 * only a tail that may still turn out to be part of something to mask.
 *
 * A stage's `scan` sees the held tail plus the new chunk and returns how many leading bytes it
 * settled (their rewritten form goes to `out`); the rest is held for the next write. Because a
 * stage settles a prefix only where its one-shot result could not change, the output of any
 * chunking equals the output of one write of the whole stream.
 */
import { concat } from '../bytes/concat-bytes.ts';

const EMPTY = new Uint8Array(0);

/** What a masking stage replaces a secret with. Shared and never mutated. */
export const MASK = new TextEncoder().encode('[MASKED]');

/**
 * After a held tail, the first this-many bytes of a big chunk are joined to it alone: the rest
 * of the chunk is then scanned in place instead of being copied behind the tail. Any chunking
 * gives the same output, so this only saves copies.
 */
const WINDOW = 1024;

export abstract class StreamRewriter {
  #held: Uint8Array = EMPTY;

  /**
   * Rewrite `buf`, pushing output pieces to `out`; return the number of bytes of `buf` settled.
   * With `final`, everything must be settled.
   */
  protected abstract scan(buf: Uint8Array, final: boolean, out: Uint8Array[]): number;

  /**
   * Whether `[MASKED]` from an earlier stage, arriving with nothing held, passes unchanged and
   * leaves the stage as it was; then it skips the scan (most pieces after the first stage are
   * masks). Stages answer for their current state; the default is the safe "no".
   */
  protected maskPassesThrough(): boolean {
    return false;
  }

  /** Rewrite a chunk, appending output pieces (views, some shared and never to be written) to `out`. */
  writeParts(chunk: Uint8Array, out: Uint8Array[]): void {
    if (chunk.length === 0) return;
    if (chunk === MASK && this.#held.length === 0 && this.maskPassesThrough()) {
      out.push(MASK);
      return;
    }
    if (this.#held.length > 0 && chunk.length > 2 * WINDOW) {
      this.#writeOne(chunk.subarray(0, WINDOW), out);
      chunk = chunk.subarray(WINDOW);
    }
    this.#writeOne(chunk, out);
  }

  /** End of the stream: the held tail, rewritten, appended to `out`. */
  flushParts(out: Uint8Array[]): void {
    const buf = this.#held;
    this.#held = EMPTY;
    this.scan(buf, true, out);
  }

  /** `writeParts` joined into one array. */
  write(chunk: Uint8Array): Uint8Array {
    const out: Uint8Array[] = [];
    this.writeParts(chunk, out);
    return concat(out);
  }

  /** `flushParts` joined into one array. */
  flush(): Uint8Array {
    const out: Uint8Array[] = [];
    this.flushParts(out);
    return concat(out);
  }

  /** Bytes currently held back (for tests of the holdback rule). */
  get held(): number {
    return this.#held.length;
  }

  #writeOne(chunk: Uint8Array, out: Uint8Array[]): void {
    const buf = this.#held.length ? concat([this.#held, chunk]) : chunk;
    const settled = this.scan(buf, false, out);
    // Copy the tail: the caller may reuse the chunk's memory.
    this.#held = settled < buf.length ? buf.slice(settled) : EMPTY;
  }
}
