/**
 * Masks exact phrases (masked variables, the job token) in a byte stream
 * (docs/runner-protocol.md §9.8 item 1).
 *
 * Every occurrence of every phrase is found, overlapping ones included; each maximal group of
 * overlapping occurrences becomes one `[MASKED]`, touching (not overlapping) ones stay separate
 * (`secretssecrets` → `[MASKED][MASKED]`). So no byte of any occurrence survives, which is at
 * least as strict as the Go runner's longest-first stack of writers and agrees with its tests.
 *
 * Holdback: only a tail that is a proper prefix of some phrase, or a masked run that such a tail
 * could still extend. A newline releases everything unless a phrase contains a newline.
 */
import { anchorIndex, occursAt } from './byte-rarity.ts';
import { MASK, StreamRewriter } from './stream-rewriter.ts';

interface Phrase {
  bytes: Uint8Array;
  /** Index of the byte searched for with the native `indexOf`. */
  anchor: number;
}

function toPhrase(bytes: Uint8Array): Phrase {
  return { bytes, anchor: anchorIndex(bytes) };
}

export class PhraseMasker extends StreamRewriter {
  readonly #phrases: Phrase[];

  /** `phrases` must be non-empty and distinct (see `normalisePhrases`). */
  constructor(phrases: readonly string[]) {
    super();
    const encoder = new TextEncoder();
    this.#phrases = phrases
      .map((p) => encoder.encode(p))
      .filter((p) => p.length > 0)
      .map(toPhrase);
  }

  protected scan(buf: Uint8Array, final: boolean, out: Uint8Array[]): number {
    const n = buf.length;
    if (this.#phrases.length === 0) {
      out.push(buf);
      return n;
    }
    const runs = this.#runs(buf);
    let cut = final ? n : this.#partialStart(buf);
    for (const [s, e] of runs) {
      if (s < cut && e > cut) {
        cut = s; // a run reaching into the tail may still grow: hold it whole
        break;
      }
    }
    let pos = 0;
    for (const [s, e] of runs) {
      if (s >= cut) break;
      out.push(buf.subarray(pos, s), MASK);
      pos = e;
    }
    out.push(buf.subarray(pos, cut));
    return cut;
  }

  /** Merged intervals of all complete occurrences, sorted, overlapping ones joined. */
  #runs(buf: Uint8Array): [number, number][] {
    const found: [number, number][] = [];
    for (const { bytes: phrase, anchor } of this.#phrases) {
      const byte = phrase[anchor] ?? 0;
      const last = buf.length - phrase.length + anchor;
      for (let i = buf.indexOf(byte, anchor); i !== -1 && i <= last; i = buf.indexOf(byte, i + 1)) {
        if (occursAt(buf, i - anchor, phrase)) found.push([i - anchor, i - anchor + phrase.length]);
      }
    }
    if (found.length < 2) return found;
    found.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const merged: [number, number][] = [];
    for (const cur of found) {
      const top = merged.at(-1);
      if (top && cur[0] < top[1]) top[1] = Math.max(top[1], cur[1]);
      else merged.push(cur);
    }
    return merged;
  }

  /** Start of the earliest tail of `buf` that is a proper prefix of some phrase, else its end. */
  #partialStart(buf: Uint8Array): number {
    const n = buf.length;
    let start = n;
    for (const { bytes: phrase } of this.#phrases) {
      for (let i = Math.max(0, n - phrase.length + 1); i < start; i++) {
        if (buf[i] !== phrase[0]) continue;
        let k = 1;
        while (i + k < n && buf[i + k] === phrase[k]) k++;
        if (i + k === n) {
          start = i;
          break;
        }
      }
    }
    return start;
  }
}
