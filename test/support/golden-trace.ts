/**
 * Helpers for golden trace tests (test/golden): a clock that freezes the times written into a
 * trace, the normalisation of what legitimately differs between runs, a reviewer-readable file
 * format for the exact trace bytes, and a parser that turns a trace into its structure
 * (sections and line kinds) so it can be compared with the annotated example of
 * docs/runner-protocol.md §9.9.
 */
import { readFile } from 'node:fs/promises';
import { systemClock, type Clock } from '../../src/platform/clock.ts';

/** 2024-06-10T06:13:20.123Z: the second of docs/runner-protocol.md §9.9's example, plus milliseconds. */
export const FIXED_MS = 1_718_000_000_123;

/** A clock stopped at `fixedMs` for the trace (`traceClock`), so markers and timestamps are constant. */
export function frozenClock(fixedMs = FIXED_MS): Clock {
  return { now: () => fixedMs, sleep: systemClock.sleep };
}

/** One normalisation: what it replaces and why it varies from run to run. */
export interface Normalisation {
  pattern: RegExp;
  replacement: string;
  why: string;
}

/** Everything that varies per run, for a harness with this runner token and emulator URL. */
export function normalisations(run: { shortToken: string; emulatorUrl: string }): Normalisation[] {
  return [
    {
      pattern: new RegExp(escapeRegExp(run.shortToken), 'g'),
      replacement: '<short-token>',
      why: 'the emulator creates a new random runner token for every harness (header line, docs/runner-protocol.md §9.2)',
    },
    {
      pattern: new RegExp(escapeRegExp(run.emulatorUrl), 'g'),
      replacement: 'http://127.0.0.1:<port>',
      why: 'the emulator listens on a free port',
    },
    {
      pattern: /\b[0-9a-f]{40}\b/g,
      replacement: '<sha>',
      why: "the fixture commit's date is the emulator's clock, so its sha changes",
    },
    {
      pattern: /(Checking out )[0-9a-f]{8}\b/g,
      replacement: '$1<sha8>',
      why: 'the same commit, abbreviated as GitLab prints it',
    },
  ];
}

export function normalise(text: string, rules: Normalisation[]): string {
  return rules.reduce((t, rule) => t.replace(rule.pattern, rule.replacement), text);
}

/**
 * The golden file text: `#` comment lines, then the trace as one JSON string per physical line
 * (split after every `\n`), so ESC shows as `\u001b` and CR as `\r`, and concatenating the
 * strings gives back the exact (normalised) bytes.
 */
export function renderGolden(header: string[], trace: string): string {
  const lines = trace.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  return [...header.map((h) => `# ${h}`), ...lines.map((l) => JSON.stringify(l)), ''].join('\n');
}

/** The trace text stored in a golden file (inverse of `renderGolden`'s body). */
export function traceOfGolden(golden: string): string {
  return golden
    .split('\n')
    .filter((line) => line.startsWith('"'))
    .map((line) => JSON.parse(line) as string)
    .join('');
}

export async function readGolden(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/** A short, readable diff of two golden files: the first differing lines with context. */
export function goldenDiff(expected: string, actual: string, context = 3): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  let first = 0;
  while (first < a.length && first < b.length && a[first] === b[first]) first++;
  if (first === a.length && first === b.length) return '(identical)';
  let endA = a.length - 1;
  let endB = b.length - 1;
  while (endA >= first && endB >= first && a[endA] === b[endB]) {
    endA--;
    endB--;
  }
  const out = [`first difference at line ${first + 1} (- golden file, + this run):`];
  for (let i = Math.max(0, first - context); i < first; i++) out.push(`  ${a[i]}`);
  for (let i = first; i <= endA; i++) out.push(`- ${a[i]}`);
  for (let i = first; i <= endB; i++) out.push(`+ ${b[i]}`);
  for (let i = endA + 1; i < Math.min(a.length, endA + 1 + context); i++) out.push(`  ${a[i]}`);
  return out.join('\n');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------------------------------------
// Structure of a trace

/** One item of a trace's structure. */
export type TraceItem =
  | { kind: 'section_start'; name: string; options: string }
  | { kind: 'section_end'; name: string }
  | { kind: LineKind; text: string };

export type LineKind =
  | 'println' // ESC[0K text ESC[0;m (header lines, "Using … executor")
  | 'stage_header' // ESC[0K ESC[36;1m text ESC[0;m ESC[0;m
  | 'notice' // ESC[32;1m text ESC[0;m, not a command
  | 'command' // ESC[32;1m$ cmd ESC[0;m
  | 'warning' // ESC[0;33mWARNING: …
  | 'error' // ESC[31;1mERROR: …
  | 'plain'; // anything else: script output, "Running on …"

const MARKER = /^section_(start|end):(\d+):([a-zA-Z0-9_.-]+)(\[[^\]]*\])?\r\x1b\[0K/;
const TIMESTAMP = /^\d{4}-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d:[0-5]\d\.\d{6}Z [0-9a-f]{2}[EO][+ ]/;
const RESET = '\x1b[0;m';

/**
 * Parse a trace into markers and classified lines. Timestamp prefixes (docs/runner-protocol.md §9.6) are dropped and
 * `+` continuations joined first, so a timestamped trace has the same structure as a plain one.
 */
export function traceStructure(trace: string): TraceItem[] {
  const items: TraceItem[] = [];
  for (let line of logicalLines(trace)) {
    for (let m = MARKER.exec(line); m; m = MARKER.exec(line)) {
      const [whole, kind, , name = '', options = ''] = m;
      items.push(
        kind === 'start' ? { kind: 'section_start', name, options } : { kind: 'section_end', name },
      );
      line = line.slice(whole.length);
    }
    if (line === '' || line === '\n') continue;
    items.push({ kind: classify(line), text: line.replace(/\n$/, '') });
  }
  return items;
}

function logicalLines(trace: string): string[] {
  const lines: string[] = [];
  for (const physical of trace.match(/[^\n]*\n|[^\n]+$/g) ?? []) {
    const m = TIMESTAMP.exec(physical);
    if (!m) {
      lines.push(physical);
      continue;
    }
    const body = physical.slice(m[0].length);
    // A `+` entry continues the previous one, whose cut added the `\n` that is not in the log.
    if (m[0].endsWith('+') && lines.length > 0)
      lines[lines.length - 1] = lines.at(-1)!.replace(/\n$/, '') + body;
    else lines.push(body);
  }
  return lines;
}

function classify(line: string): LineKind {
  if (line.startsWith('\x1b[0K\x1b[36;1m')) return 'stage_header';
  if (line.startsWith('\x1b[0K')) return 'println';
  if (line.startsWith('\x1b[32;1m$ ')) return 'command';
  if (line.startsWith('\x1b[32;1m')) return 'notice';
  if (line.startsWith('\x1b[0;33mWARNING: ')) return 'warning';
  if (line.startsWith('\x1b[31;1mERROR: ')) return 'error';
  return 'plain';
}

/** A compact one-line-per-item view of a structure, for readable assertions. */
export function describeStructure(items: TraceItem[]): string[] {
  return items.map((item) => {
    if (item.kind === 'section_start') return `section_start ${item.name}${item.options}`;
    if (item.kind === 'section_end') return `section_end ${item.name}`;
    return `${item.kind}: ${visible(item.text)}`;
  });
}

/** Text without ANSI sequences. */
export function visible(text: string): string {
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replaceAll(RESET, '');
}
