/**
 * Masks the values of secret URL query parameters (gitlab-runner-protocol.md §9.8 item 2):
 * `?private_token=abc&x=1` → `?private_token=[MASKED]&x=1`. Keys match case-insensitively after
 * `?` or `&`; the value ends at `?`, `&`, whitespace or an ASCII control character (the Go
 * runner also stops at Unicode spaces; we mask those few extra bytes, the safe side).
 *
 * Holdback: a `?`/`&` followed by the start of a known key. A value reaching the end of a chunk
 * is masked at once and its continuation swallowed.
 */
import { ByteFinder } from './byte-finder.ts';
import { MASK, StreamRewriter } from './stream-rewriter.ts';

const KEYS = [
  'private_token',
  'authenticity_token',
  'rss_token',
  'x-amz-signature',
  'x-amz-credential',
  'x-amz-security-token',
].map((k) => new TextEncoder().encode(k + '='));

const QUESTION = 0x3f;
const AMPERSAND = 0x26;

const VALUE_END = new Uint8Array(256);
for (let b = 0; b <= 0x20; b++) VALUE_END[b] = 1;
VALUE_END[0x7f] = 1;
VALUE_END[QUESTION] = 1;
VALUE_END[AMPERSAND] = 1;

const lower = (b: number) => (b >= 0x41 && b <= 0x5a ? b | 0x20 : b);

export class UrlParamMasker extends StreamRewriter {
  #inValue = false;
  readonly #finder = new ByteFinder([QUESTION, AMPERSAND]);

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
    let emitted = i;
    const finder = this.#finder;
    finder.start(buf);
    for (i = finder.next(i); i !== -1; i = finder.next(i)) {
      const valueStart = keyEnd(buf, i + 1, final);
      if (valueStart === -1) {
        out.push(buf.subarray(emitted, i));
        return i;
      }
      if (valueStart === 0) {
        i++;
        continue;
      }
      out.push(buf.subarray(emitted, valueStart), MASK);
      let j = valueStart;
      while (j < n && !VALUE_END[buf[j] ?? 0]) j++;
      if (j === n && !final) {
        this.#inValue = true;
        return n;
      }
      i = emitted = j;
    }
    out.push(buf.subarray(emitted, n));
    return n;
  }
}

/** Where the value starts when `buf[at..]` is a secret key and `=`; 0 if not; -1 undecided. */
function keyEnd(buf: Uint8Array, at: number, final: boolean): number {
  let undecided = false;
  for (const key of KEYS) {
    let k = 0;
    while (k < key.length && at + k < buf.length && lower(buf[at + k] ?? 0) === key[k]) k++;
    if (k === key.length) return at + k;
    if (at + k === buf.length && !final) undecided = true;
  }
  return undecided ? -1 : 0;
}
