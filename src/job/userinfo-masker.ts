/**
 * Masks the password of credentials in URLs: `https://user:secret@host` →
 * `https://user:[MASKED]@host`. Not in the Go runner's list (docs/runner-protocol.md §9.8), but users paste such URLs
 * into scripts, and the job token travels in one (`git_info.repo_url`, docs/runner-protocol.md §4.3).
 *
 * A match is `://`, a user of up to 255 characters without whitespace, controls or `/?#@:`,
 * `:`, a password of 1 to 255 characters without whitespace, controls or `/?#@`, then `@`.
 * The search anchors on `@` (rare in logs) and looks back for the `://`.
 *
 * Holdback: from an unfinished `://user:password` (or a trailing `:` / `:/`) to its `@`;
 * whitespace, any other stop character or the length bound ends it.
 */
import { MASK, StreamRewriter } from './stream-rewriter.ts';

const MAX_PART = 255;
const COLON = 0x3a;
const SLASH = 0x2f;
const AT = 0x40;

/** Bytes that cannot be in a password (nor in a user, which also excludes `:`). */
const STOP = new Uint8Array(256);
for (let b = 0; b <= 0x20; b++) STOP[b] = 1;
for (const c of '/?#@\x7f') STOP[c.charCodeAt(0)] = 1;

const isSchemeEnd = (buf: Uint8Array, slash: number) =>
  slash >= 2 && buf[slash] === SLASH && buf[slash - 1] === SLASH && buf[slash - 2] === COLON;

/**
 * For `user:password` in `buf[from..to)` (no stop bytes inside), where the password starts,
 * or -1 when the part is not one (no `:`, empty password, a part too long).
 */
function passwordStart(buf: Uint8Array, from: number, to: number, complete: boolean): number {
  const colon = buf.indexOf(COLON, from);
  if (colon === -1 || colon >= to) return complete || to - from > MAX_PART ? -1 : to;
  if (colon - from > MAX_PART || to - colon - 1 > MAX_PART) return -1;
  if (complete && to === colon + 1) return -1;
  return colon + 1;
}

/** Already `[MASKED]` (the job token in a clone URL, masked as a phrase): leave it be. */
function isMask(buf: Uint8Array, from: number, to: number): boolean {
  return to - from === MASK.length && MASK.every((b, k) => buf[from + k] === b);
}

export class UserinfoMasker extends StreamRewriter {
  /** `[MASKED]` has no `@` or `:`, and with nothing held no `://` precedes it. */
  protected override maskPassesThrough(): boolean {
    return true;
  }

  protected scan(buf: Uint8Array, final: boolean, out: Uint8Array[]): number {
    const n = buf.length;
    let emitted = 0;
    for (let at = buf.indexOf(AT); at !== -1; at = buf.indexOf(AT, at + 1)) {
      let s = at;
      while (s > emitted && at - s <= 2 * MAX_PART + 1 && !STOP[buf[s - 1] ?? 0]) s--;
      if (!isSchemeEnd(buf, s - 1)) continue;
      const password = passwordStart(buf, s, at, true);
      if (password === -1 || isMask(buf, password, at)) continue;
      out.push(buf.subarray(emitted, password), MASK);
      emitted = at;
    }
    const cut = final ? n : this.#undecidedStart(buf, emitted);
    out.push(buf.subarray(emitted, cut));
    return cut;
  }

  /** Start of a tail that may still become `://user:password@`, else the end of `buf`. */
  #undecidedStart(buf: Uint8Array, from: number): number {
    const n = buf.length;
    let s = n;
    while (s > from && n - s <= 2 * MAX_PART + 1 && !STOP[buf[s - 1] ?? 0]) s--;
    if (s - 3 >= from && isSchemeEnd(buf, s - 1) && passwordStart(buf, s, n, false) !== -1) {
      return s - 3;
    }
    if (n - 1 >= from && buf[n - 1] === COLON) return n - 1;
    if (n - 2 >= from && buf[n - 2] === COLON && buf[n - 1] === SLASH) return n - 2;
    return n;
  }
}
