/**
 * Masks the values of secret URL query parameters (docs/runner-protocol.md §9.8 item 2):
 * `?private_token=abc&x=1` → `?private_token=[MASKED]&x=1`. Keys match case-insensitively after
 * `?` or `&`; the value ends at `?`, `&`, whitespace or an ASCII control character (the Go
 * runner also stops at Unicode spaces; we mask those few extra bytes, the safe side).
 *
 * Holdback: a `?`/`&` followed by the start of a known key. A value reaching the end of a chunk
 * is masked at once and its continuation swallowed.
 *
 * Search: every key ends in `=` and holds no `?` or `&`, so one native search for the rare `=`
 * finds every candidate (then the key and separator are checked backwards), instead of one
 * search each for `?` and `&`; only the short tail is checked for an unfinished key.
 */
import type { BytePositions } from './byte-positions.ts';
import { MASK, StreamRewriter } from './stream-rewriter.ts';

const KEYS = [
  'private_token',
  'authenticity_token',
  'rss_token',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
].map((k) => new TextEncoder().encode(k + '='));

/** Longest key with its `=`: the most a tail may hold before its key is decided. */
const LONGEST_KEY = Math.max(...KEYS.map((k) => k.length));

const QUESTION = 0x3f;
const AMPERSAND = 0x26;
const EQUALS = 0x3d;

const VALUE_END = new Uint8Array(256);
for (let b = 0; b <= 0x20; b++) VALUE_END[b] = 1;
VALUE_END[0x7f] = 1;
VALUE_END[QUESTION] = 1;
VALUE_END[AMPERSAND] = 1;

const lower = (b: number) => (b >= 0x41 && b <= 0x5a ? b | 0x20 : b);

export class UrlParamMasker extends StreamRewriter {
  #inValue = false;
  /** Where this stage records every `=` it finds, for a later stage searching them too. */
  readonly #equals: BytePositions | null;

  constructor(equals: BytePositions | null = null) {
    super();
    if (equals && equals.byte !== EQUALS) throw new RangeError('expected positions of "="');
    this.#equals = equals;
  }

  /** `[MASKED]` has no `?` or `&`; only an open value would swallow it. */
  protected override maskPassesThrough(): boolean {
    return !this.#inValue;
  }

  protected scan(buf: Uint8Array, final: boolean, out: Uint8Array[]): number {
    const n = buf.length;
    let i = 0;
    if (this.#inValue) {
      while (i < n && !VALUE_END[buf[i] ?? 0]) i++;
      if (i === n && !final) return n;
      this.#inValue = false;
    }
    // Every `=` of the whole buffer is recorded (`=` is rare in output), then matched. Matches
    // come in the order of their separators (a key holds none), each separator at or after
    // `i`, the end of the previous value.
    const equals: number[] = [];
    for (let eq = buf.indexOf(EQUALS); eq !== -1; eq = buf.indexOf(EQUALS, eq + 1)) equals.push(eq);
    this.#equals?.record(buf, equals);
    for (const eq of equals) {
      if (eq < i || !keyBefore(buf, eq, i)) continue;
      out.push(buf.subarray(i, eq + 1), MASK);
      let j = eq + 1;
      while (j < n && !VALUE_END[buf[j] ?? 0]) j++;
      if (j === n && !final) {
        this.#inValue = true;
        return n;
      }
      i = j;
    }
    const cut = final ? n : undecidedStart(buf, i);
    out.push(buf.subarray(i, cut));
    return cut;
  }
}

const isSeparator = (b: number | undefined) => b === QUESTION || b === AMPERSAND;

/** Is `buf[eq]` the `=` of a secret key that follows a `?` or `&` at or after `from`? */
function keyBefore(buf: Uint8Array, eq: number, from: number): boolean {
  for (const key of KEYS) {
    const sep = eq + 1 - key.length - 1;
    if (sep < from || !isSeparator(buf[sep])) continue;
    let k = 0;
    while (k < key.length && lower(buf[sep + 1 + k] ?? 0) === key[k]) k++;
    if (k === key.length) return true;
  }
  return false;
}

/**
 * The first `?`/`&` at or after `from` whose rest of `buf` may still become a secret key and
 * its `=` (a proper prefix of one, nothing included), else the end of `buf`.
 */
function undecidedStart(buf: Uint8Array, from: number): number {
  const n = buf.length;
  for (let sep = Math.max(from, n - LONGEST_KEY); sep < n; sep++) {
    if (!isSeparator(buf[sep])) continue;
    const rest = n - sep - 1;
    for (const key of KEYS) {
      if (rest >= key.length) continue;
      let k = 0;
      while (k < rest && lower(buf[sep + 1 + k] ?? 0) === key[k]) k++;
      if (k === rest) return sep;
    }
  }
  return n;
}
