/**
 * Removes GitLab's collapsible-section markers (`section_start:<ts>:<name>[opts]\r ESC[0K`,
 * `section_end:<ts>:<name>\r ESC[0K`) from the display text before xterm sees it.
 *
 * The trace relies on a terminal to hide them: `\r` goes back to the start of the row and
 * `ESC[0K` clears it. That holds only while the marker fits on one row; on a narrow terminal
 * xterm wraps it, `\r` returns to the start of the last wrapped row only, and the rows above
 * keep the raw marker text. GitLab's own log view drops the markers, so the page does too.
 *
 * Chunks split anywhere, so a chunk that ends inside what may still become a marker is held
 * back until the next one decides.
 */

/** gitlab-runner's section names and options; `\r ESC[0K` ends every marker. */
// eslint-disable-next-line no-control-regex -- ESC[0K is part of what GitLab writes.
const MARKER = /section_(?:start|end):\d+:[A-Za-z0-9_.-]+(?:\[[^\]\r\n]*\])?\r\x1b\[0K/g;

/** Longer tails are plain text: no real marker's options run that long. */
const MAX_MARKER = 512;

/** Where a marker may begin: the start of a line, or after the `ESC[0K` scripts put first. */
// eslint-disable-next-line no-control-regex -- ESC[0K is part of what GitLab writes.
const MARKER_START = /(?:^|[\n\r]|\x1b\[0K)$/;

export class SectionMarkerFilter {
  #held = '';
  /** The text already passed on, as far as MARKER_START needs to look back. */
  #before = '';

  /** The display text of `text` with whole markers removed and a possible partial one held. */
  push(text: string): string {
    const all = (this.#held + text).replace(MARKER, '');
    const cut = heldFrom(all, this.#before);
    this.#held = all.slice(cut);
    const out = all.slice(0, cut);
    this.#before = (this.#before + out).slice(-8);
    return out;
  }

  /** What is held back, as plain text: the log ended or was reset. */
  flush(): string {
    const out = this.#held;
    this.#held = '';
    this.#before = '';
    return out;
  }
}

/** Index from which `text` could be the start of a marker that a later chunk completes. */
function heldFrom(text: string, before: string): number {
  const from = Math.max(0, text.length - MAX_MARKER);
  for (let i = from; i < text.length; i += 1) {
    if (text[i] !== 's') continue;
    if (!MARKER_START.test(before + text.slice(Math.max(0, i - 8), i))) continue;
    if (couldBecomeMarker(text.slice(i))) return i;
  }
  return text.length;
}

const PREFIX_PARTS = ['section_', 'start:', 'end:'];

/** Whether `tail` is a proper prefix of some marker. */
function couldBecomeMarker(tail: string): boolean {
  const [head, kindStart, kindEnd] = PREFIX_PARTS as [string, string, string];
  if (tail.length <= head.length) return head.startsWith(tail);
  if (!tail.startsWith(head)) return false;
  let rest = tail.slice(head.length);
  const kind = [kindStart, kindEnd].find((k) => k.startsWith(rest) || rest.startsWith(k));
  if (kind === undefined) return false;
  if (rest.length <= kind.length) return true;
  rest = rest.slice(kind.length);
  // `<ts>:<name>[options]` then `\r ESC [ 0 K`, any of it possibly cut short.
  // eslint-disable-next-line no-control-regex -- ESC[0K is part of what GitLab writes.
  return /^\d+(?::(?:[A-Za-z0-9_.-]+(?:\[[^\]\r\n]*\]?)?(?:\r(?:\x1b(?:\[0?)?)?)?)?)?$/.test(rest);
}
