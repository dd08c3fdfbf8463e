/**
 * Masks tokens recognised by their prefix (docs/runner-protocol.md §9.8 item 3): a prefix
 * followed by one or more of `[A-Za-z0-9._=-]` keeps the prefix and loses the run
 * (`glpat-abc x` → `glpat-[MASKED] x`). Where several prefixes start at one place the longest
 * that is followed by a token character wins.
 *
 * Holdback: a tail that is a prefix (or a whole prefix not yet followed by anything). A token
 * that reaches the end of a chunk is masked at once and its continuation swallowed, so the
 * trace stays live even while a long token streams in.
 */
import type { BytePositions } from './byte-positions.ts';
import { anchorIndex, occursAt } from './byte-rarity.ts';
import { MASK, StreamRewriter } from './stream-rewriter.ts';

const TOKEN_CHAR = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._=-') {
  TOKEN_CHAR[c.charCodeAt(0)] = 1;
}

interface Prefix {
  bytes: Uint8Array;
  anchor: number;
}

/** Prefixes sharing an anchor byte, and the bytes that may precede it (a cheap first filter). */
interface AnchorGroup {
  prefixes: Prefix[];
  /** `before[b]` is 1 when some prefix has `b` just before its anchor; null: no filter. */
  before: Uint8Array | null;
}

export class TokenMasker extends StreamRewriter {
  /** Longest first, so the longest prefix wins at a position. */
  readonly #prefixes: Uint8Array[];
  /** Prefixes grouped by the byte searched for: one native search per group. */
  readonly #byAnchor = new Map<number, AnchorGroup>();
  readonly #longest: number;
  /** First bytes of the prefixes, for the tail check. */
  readonly #first = new Uint8Array(256);
  #inToken = false;
  /** No prefix starts with a byte of `[MASKED]` (a job's own prefixes could). */
  readonly #maskInert: boolean;

  /** Positions of one byte an earlier stage already found in the pieces it passed on. */
  readonly #known: BytePositions | null;

  constructor(prefixes: readonly string[], known: BytePositions | null = null) {
    super();
    this.#known = known;
    const encoder = new TextEncoder();
    this.#prefixes = [...new Set(prefixes)]
      .map((p) => encoder.encode(p))
      .filter((p) => p.length > 0)
      .sort((a, b) => b.length - a.length);
    for (const bytes of this.#prefixes) {
      const anchor = anchorIndex(bytes);
      const key = bytes[anchor] ?? 0;
      const group = this.#byAnchor.get(key) ?? { prefixes: [], before: new Uint8Array(256) };
      group.prefixes.push({ bytes, anchor });
      if (anchor === 0) group.before = null;
      else if (group.before) group.before[bytes[anchor - 1] ?? 0] = 1;
      this.#byAnchor.set(key, group);
    }
    this.#longest = this.#prefixes[0]?.length ?? 0;
    for (const p of this.#prefixes) this.#first[p[0] ?? 0] = 1;
    this.#maskInert = !MASK.some((b) => this.#first[b]);
  }

  protected override maskPassesThrough(): boolean {
    return this.#maskInert && !this.#inToken;
  }

  protected scan(buf: Uint8Array, final: boolean, out: Uint8Array[]): number {
    const n = buf.length;
    let i = 0;
    if (this.#inToken) {
      while (i < n && TOKEN_CHAR[buf[i] ?? 0]) i++;
      if (i === n && !final) return n;
      this.#inToken = false;
    }
    let emitted = i;
    for (const c of this.#candidates(buf, i, final)) {
      if (c < i) continue; // inside a token already masked
      const end = this.#matchAt(buf, c, final);
      if (end === -1) {
        // Undecided until more bytes arrive.
        out.push(buf.subarray(emitted, c));
        return c;
      }
      if (end === 0) continue;
      out.push(buf.subarray(emitted, end), MASK);
      let j = end;
      while (j < n && TOKEN_CHAR[buf[j] ?? 0]) j++;
      if (j === n && !final) {
        this.#inToken = true;
        return n;
      }
      i = emitted = j;
    }
    out.push(buf.subarray(emitted, n));
    return n;
  }

  /**
   * Sorted positions ≥ `from` where a prefix occurs, plus (unless `final`) the earliest tail
   * position where one may be starting.
   */
  #candidates(buf: Uint8Array, from: number, final: boolean): number[] {
    const found: number[] = [];
    const visit = (d: number, { prefixes, before }: AnchorGroup) => {
      if (before && !before[buf[d - 1] ?? 0]) return;
      for (const { bytes, anchor } of prefixes) {
        const start = d - anchor;
        if (start >= from && occursAt(buf, start, bytes)) found.push(start);
      }
    };
    for (const [byte, group] of this.#byAnchor) {
      const known = this.#known?.byte === byte ? this.#known.lookup(buf) : null;
      if (known) {
        for (const d of known) if (d >= from) visit(d, group);
        continue;
      }
      for (let d = buf.indexOf(byte, from); d !== -1; d = buf.indexOf(byte, d + 1)) visit(d, group);
    }
    if (!final) {
      const n = buf.length;
      for (let t = Math.max(from, n - this.#longest + 1); t < n; t++) {
        if (!this.#first[buf[t] ?? 0]) continue;
        if (this.#prefixes.some((p) => isPrefixOfPattern(buf, t, p))) {
          found.push(t);
          break;
        }
      }
    }
    return found.length > 1 ? [...new Set(found)].sort((a, b) => a - b) : found;
  }

  /** End of the prefix matched at `at` (a token follows), 0 for no match, -1 for undecided. */
  #matchAt(buf: Uint8Array, at: number, final: boolean): number {
    const n = buf.length;
    for (const p of this.#prefixes) {
      if (p[0] !== buf[at]) continue;
      let k = 1;
      while (k < p.length && at + k < n && buf[at + k] === p[k]) k++;
      if (k < p.length) {
        if (at + k === n && !final) return -1;
        continue;
      }
      const next = at + p.length;
      if (next === n) {
        if (!final) return -1;
        continue;
      }
      if (TOKEN_CHAR[buf[next] ?? 0]) return next;
    }
    return 0;
  }
}

/** Is `buf[at..]` (reaching the end of `buf`) a proper prefix of `pattern`? */
function isPrefixOfPattern(buf: Uint8Array, at: number, pattern: Uint8Array): boolean {
  const rest = buf.length - at;
  if (rest >= pattern.length) return false;
  for (let k = 0; k < rest; k++) if (buf[at + k] !== pattern[k]) return false;
  return true;
}
