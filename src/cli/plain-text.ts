/**
 * GitLab trace text as plain lines, for `tabrunner run` when its output is not a terminal
 * (docs/cli.md, "Log formats"). The trace is what a terminal would draw: ANSI escapes, `\r`
 * overwrites and the collapsible-section markers of docs/runner-protocol.md §9.3
 * (`section_start:<ts>:<name>[<options>]\r` `ESC[0K`). Each line comes out as a terminal would
 * leave it, without colours, cursor codes or markers; a line that held only markers is dropped,
 * as GitLab's log view shows none.
 *
 * Escapes and markers never span a newline, so holding back the unfinished line is all the
 * state a split chunk needs: a chunk may end anywhere, even inside `ESC[0;m` or a marker.
 */

/** A docs/runner-protocol.md §9.3 marker with the `\r ESC[0K` that hides it on a terminal (either may be missing). */
// eslint-disable-next-line no-control-regex -- ESC[0K is part of what GitLab writes.
const MARKER = /section_(?:start|end):\d+:[A-Za-z0-9_.-]+(?:\[[^\]\r\n]*\])?\r?(?:\x1b\[0?K)?/g;

export class PlainText {
  #partial = '';

  /** The lines this text completes; the unfinished last one waits for its newline. */
  push(text: string): string[] {
    const pieces = (this.#partial + text).split('\n');
    this.#partial = pieces.pop() ?? '';
    return render(pieces);
  }

  /** The unfinished line, at the end of the job. */
  flush(): string[] {
    const rest = this.#partial;
    this.#partial = '';
    return rest === '' ? [] : render([rest]);
  }
}

function render(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const text = plainLine(line);
    if (text !== null) out.push(text);
  }
  return out;
}

/** One line (no `\n`) as plain text, or null when it held only section markers. */
export function plainLine(line: string): string | null {
  const unmarked = line.replace(MARKER, '');
  const text = draw(unmarked);
  return text === '' && unmarked !== line ? null : text;
}

/** A blank cell: a space inside the line, nothing at its end. */
const BLANK = undefined;

/** Draw one line on a one-row terminal and read back what it shows. */
function draw(line: string): string {
  const cells: (string | typeof BLANK)[] = [];
  let cursor = 0;
  const chars = Array.from(line);
  let i = 0;
  while (i < chars.length) {
    const ch = chars[i] ?? '';
    i += 1;
    if (ch === '\x1b') {
      i = escape(chars, i, (kind, param) => {
        if (kind !== 'K') return;
        // Erase in line: 0 from the cursor on, 1 up to and including it, 2 all of it.
        if (param === 0) cells.length = Math.min(cells.length, cursor);
        else if (param === 1) cells.fill(BLANK, 0, cursor + 1);
        else if (param === 2) cells.fill(BLANK);
      });
    } else if (ch === '\r') {
      cursor = 0;
    } else if (ch === '\b') {
      cursor = Math.max(0, cursor - 1);
    } else if (ch === '\t' || !isControl(ch)) {
      while (cells.length < cursor) cells.push(BLANK);
      cells[cursor] = ch;
      cursor += 1;
    }
  }
  let end = cells.length;
  while (end > 0 && cells[end - 1] === BLANK) end -= 1;
  return cells
    .slice(0, end)
    .map((cell) => cell ?? ' ')
    .join('');
}

function isControl(ch: string): boolean {
  const code = ch.codePointAt(0) ?? 0;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/**
 * Skip the escape sequence after an ESC at `chars[start - 1]`; returns where text resumes.
 * CSI (`ESC [ params final`) is reported to `csi`; OSC (`ESC ] … BEL` or `ESC ] … ESC \`) and
 * two- or three-character escapes are skipped. One cut off by the end of the line is dropped.
 */
function escape(
  chars: string[],
  start: number,
  csi: (final: string, firstParam: number) => void,
): number {
  const next = chars[start];
  if (next === '[') {
    let i = start + 1;
    let params = '';
    while (i < chars.length && /[0-?]/.test(chars[i] ?? '')) params += chars[i++];
    while (i < chars.length && /[ -/]/.test(chars[i] ?? '')) i += 1;
    const final = chars[i];
    if (final === undefined) return chars.length;
    if (/[@-~]/.test(final)) csi(final, Number.parseInt(params.split(';')[0] || '0', 10) || 0);
    return i + 1;
  }
  if (next === ']') {
    for (let i = start + 1; i < chars.length; i += 1) {
      if (chars[i] === '\x07') return i + 1;
      if (chars[i] === '\x1b' && chars[i + 1] === '\\') return i + 2;
    }
    return chars.length;
  }
  // ESC ( B and other character-set choices take one more character.
  if (next !== undefined && /[ -/]/.test(next)) return Math.min(chars.length, start + 2);
  return Math.min(chars.length, start + 1);
}
