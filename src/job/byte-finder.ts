/**
 * Finds the next position of any of a few bytes with the engine's native
 * `Uint8Array#indexOf`, one search per byte, instead of a JavaScript loop over every byte: the
 * masking stages look for rare bytes (`?`, `&`, a prefix's first byte) and this keeps them
 * near memchr speed.
 */
export class ByteFinder {
  readonly #bytes: number[];
  readonly #next: number[];
  #buf: Uint8Array = new Uint8Array(0);

  constructor(bytes: Iterable<number>) {
    this.#bytes = [...new Set(bytes)];
    this.#next = this.#bytes.map(() => -1);
  }

  /** Start searching `buf` (forgetting any earlier buffer). */
  start(buf: Uint8Array): void {
    this.#buf = buf;
    this.#next.fill(-2);
  }

  /** First position ≥ `from` holding one of the bytes, or -1. `from` must not decrease. */
  next(from: number): number {
    let best = -1;
    for (let k = 0; k < this.#bytes.length; k++) {
      let at = this.#next[k] ?? -1;
      if (at === -1) continue;
      if (at < from) at = this.#next[k] = this.#buf.indexOf(this.#bytes[k] ?? 0, from);
      if (at !== -1 && (best === -1 || at < best)) best = at;
    }
    return best;
  }
}
