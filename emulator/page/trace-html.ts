/**
 * A job trace rendered like GitLab's log viewer (docs/runner-protocol.md §9): ANSI colours and styles become spans,
 * `section_start`/`section_end` markers become collapsible `<details>` (folded when
 * `collapsed=true`, with the section's duration unless `hide_duration=true`), timestamp prefixes
 * of docs/runner-protocol.md §9.6 become a time column the reader can show or hide, and `\r` overwrites like a terminal.
 * The input must already be masked; everything is escaped.
 */
import { escapeHtml } from './html.ts';

const TIMESTAMP = /^(\d{4}-[01]\d-[0-3]\dT([0-2]\d:[0-5]\d:[0-5]\d)\.\d{6}Z) [0-9a-f]{2}[EO]([+ ])/;
// eslint-disable-next-line no-control-regex -- matching ANSI escapes is this module's job
const MARKER = /section_(start|end):(\d+):([a-zA-Z0-9_.-]+)(?:\[([^\]]*)\])?\r\x1b\[0K/g;
// eslint-disable-next-line no-control-regex -- matching ANSI escapes is this module's job
const CSI = /\x1b\[([0-9;]*)([A-Za-z])/g;

interface Line {
  time: string | null;
  text: string;
}

/** Render trace text as HTML. */
export function traceToHtml(trace: string): string {
  const lines = logicalLines(trace);
  const ends = new Map<string, number>();
  for (const line of lines) {
    for (const m of line.text.matchAll(MARKER)) {
      if (m[1] === 'end' && m[3]) ends.set(m[3], Number(m[2]));
    }
  }

  const out: string[] = [];
  const open: string[] = [];
  const style = new SgrState();
  for (const line of lines) {
    let rest = line.text;
    let markers = 0;
    let summaryOpen = false;
    for (let m = nextMarker(rest); m; m = nextMarker(rest)) {
      markers++;
      const before = rest.slice(0, m.index);
      if (before !== '') out.push(renderLine(line.time, before, style));
      rest = rest.slice(m.index + m[0].length);
      const [, kind, start, name = '', options = ''] = m;
      if (summaryOpen) {
        out.push('</summary>');
        summaryOpen = false;
      }
      if (kind === 'start') {
        const opts = parseOptions(options);
        const end = ends.get(name);
        const hidden = end === undefined || opts.hide_duration === 'true';
        const duration = hidden ? '' : formatSeconds(end - Number(start));
        const folded = opts.collapsed === 'true';
        out.push(
          `<details class="section"${folded ? '' : ' open'} data-section="${escapeHtml(name)}">`,
          `<summary><span class="duration">${escapeHtml(duration)}</span>`,
        );
        open.push(name);
        summaryOpen = true;
      } else {
        const at = open.lastIndexOf(name);
        while (at >= 0 && open.length > at) {
          open.pop();
          out.push('</details>');
        }
      }
    }
    // The text after a section_start marker is the section's header, as in GitLab's viewer.
    if (summaryOpen) out.push(renderLine(line.time, rest, style), '</summary>');
    else if (rest !== '' || markers === 0) out.push(renderLine(line.time, rest, style));
  }
  while (open.pop() !== undefined) out.push('</details>');
  return `<div class="trace">${out.join('')}</div>`;
}

function nextMarker(text: string): RegExpExecArray | null {
  MARKER.lastIndex = 0;
  return MARKER.exec(text);
}

/** Split into lines, strip docs/runner-protocol.md §9.6 prefixes and join `+` continuations, apply `\r`. */
function logicalLines(trace: string): Line[] {
  const raw = trace.split('\n');
  if (raw.at(-1) === '') raw.pop();
  const lines: Line[] = [];
  for (const physical of raw) {
    const m = TIMESTAMP.exec(physical);
    const text = m ? physical.slice(m[0].length) : physical;
    const previous = lines.at(-1);
    if (m && m[3] === '+' && previous) previous.text += text;
    else lines.push({ time: m?.[2] ?? null, text });
  }
  for (const line of lines) line.text = applyCarriageReturns(line.text);
  return lines;
}

/** Keep what a terminal would show after `\r` overwrites, but never split a section marker. */
function applyCarriageReturns(text: string): string {
  // eslint-disable-next-line no-control-regex -- the marker ends with ESC[0K (docs/runner-protocol.md §9.3)
  const parts = text.split(/(section_(?:start|end):\d+:[a-zA-Z0-9_.-]+(?:\[[^\]]*\])?\r\x1b\[0K)/);
  return parts
    .map((part, i) => (i % 2 === 1 ? part : (part.split('\r').findLast((p) => p !== '') ?? '')))
    .join('');
}

function parseOptions(options: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const pair of options.split(',')) {
    const [key, value] = pair.trim().split('=');
    if (key && value) result[key] = value;
  }
  return result;
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  const m = Math.floor(seconds / 60);
  const s = String(seconds % 60).padStart(2, '0');
  return `${String(m).padStart(2, '0')}:${s}`;
}

function renderLine(time: string | null, text: string, style: SgrState): string {
  const ts = time ? `<span class="ts">${escapeHtml(time)}</span>` : '';
  return `<div class="line">${ts}<span class="text">${ansiToHtml(text, style)}</span></div>`;
}

const COLORS = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'];

/** SGR state carried across lines, as a terminal keeps colours until reset. */
class SgrState {
  fg: string | null = null;
  bg: string | null = null;
  bold = false;
  italic = false;
  underline = false;

  apply(codes: number[]): void {
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i] ?? 0;
      if (code === 0)
        Object.assign(this, { fg: null, bg: null, bold: false, italic: false, underline: false });
      else if (code === 1) this.bold = true;
      else if (code === 3) this.italic = true;
      else if (code === 4) this.underline = true;
      else if (code === 22) this.bold = false;
      else if (code === 23) this.italic = false;
      else if (code === 24) this.underline = false;
      else if (code >= 30 && code <= 37) this.fg = `fg-${COLORS[code - 30]}`;
      else if (code >= 90 && code <= 97) this.fg = `fg-l-${COLORS[code - 90]}`;
      else if (code === 39) this.fg = null;
      else if (code >= 40 && code <= 47) this.bg = `bg-${COLORS[code - 40]}`;
      else if (code >= 100 && code <= 107) this.bg = `bg-l-${COLORS[code - 100]}`;
      else if (code === 49) this.bg = null;
      else if ((code === 38 || code === 48) && codes[i + 1] === 5) {
        const n = codes[i + 2] ?? 0;
        if (code === 38) this.fg = `xterm-fg-${n}`;
        else this.bg = `xterm-bg-${n}`;
        i += 2;
      } else if ((code === 38 || code === 48) && codes[i + 1] === 2) {
        i += 4; // truecolour: not rendered
      }
    }
  }

  classes(): string {
    return [
      this.fg,
      this.bg,
      this.bold && 'bold',
      this.italic && 'italic',
      this.underline && 'underline',
    ]
      .filter((c): c is string => typeof c === 'string')
      .join(' ');
  }
}

/** ANSI text → escaped HTML spans. Non-SGR control sequences (`ESC[0K`, …) are dropped. */
function ansiToHtml(text: string, style: SgrState): string {
  let html = '';
  let last = 0;
  const chunk = (raw: string) => {
    // eslint-disable-next-line no-control-regex
    const s = raw.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
    if (s === '') return;
    const classes = style.classes();
    html += classes ? `<span class="${classes}">${escapeHtml(s)}</span>` : escapeHtml(s);
  };
  for (const m of text.matchAll(CSI)) {
    chunk(text.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[2] === 'm') style.apply((m[1] || '0').split(';').map((n) => Number(n) || 0));
  }
  chunk(text.slice(last));
  return html;
}
