/**
 * GitLab's `artifacts:paths`/`exclude` pattern matching: the doublestar v4 rules the Go runner
 * uses (`*`, `?`, `[a-z]`, `[^x]`/`[!x]`, `{a,b}`, `\` escapes, `**` as a whole path component
 * for zero or more directories). Pure string matching; finding files is `collect.ts`' job.
 */
import { GlobPatternError } from './errors.ts';

/** Brace alternatives beyond this are a pattern bomb, not a path list. */
const MAX_ALTERNATIVES = 4096;

/**
 * Whether `name` (a `/`-separated relative path) matches `pattern` as a whole, with
 * doublestar's semantics: `a/**` matches `a` and everything below it, `**\/c` matches `c` at
 * any depth, `*` and `?` never cross `/`, and a `**` inside a component (`abc**`) acts as `*`.
 * Matching is case-sensitive. Throws `GlobPatternError` for a malformed pattern (an unclosed
 * `[` or `{`, an empty class, a trailing `\`), as doublestar returns `ErrBadPattern`.
 */
export function matchGlob(pattern: string, name: string): boolean {
  const names = name.split('/').map((segment) => Array.from(segment));
  for (const alternative of expandBraces(pattern, pattern)) {
    const segments = splitSegments(alternative, pattern);
    if (matchSegments(segments, names)) return true;
  }
  return false;
}

/** `{a,b}c` → `ac`, `bc` (nested too); escapes are kept for the segment matcher. */
function expandBraces(pattern: string, original: string): string[] {
  const open = findUnescaped(pattern, '{', 0, original);
  if (open < 0) return [pattern];
  const parts: string[] = [];
  let depth = 0;
  let start = open + 1;
  let close = -1;
  for (let i = open + 1; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '[') {
      i = classEnd(pattern, i, original) - 1;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') {
      if (depth === 0) {
        parts.push(pattern.slice(start, i));
        close = i;
        break;
      }
      depth--;
    } else if (c === ',' && depth === 0) {
      parts.push(pattern.slice(start, i));
      start = i + 1;
    }
  }
  if (close < 0) throw new GlobPatternError(original);
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  const out: string[] = [];
  for (const part of parts) {
    for (const expanded of expandBraces(head + part + tail, original)) {
      out.push(expanded);
      if (out.length > MAX_ALTERNATIVES) throw new GlobPatternError(original);
    }
  }
  return out;
}

/** Index of the first unescaped `char` outside classes, or -1; validates escapes and classes. */
function findUnescaped(pattern: string, char: string, from: number, original: string): number {
  for (let i = from; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      if (i + 1 >= pattern.length) throw new GlobPatternError(original);
      i++;
    } else if (c === '[') {
      i = classEnd(pattern, i, original) - 1;
    } else if (c === char) {
      return i;
    }
  }
  return -1;
}

/** Throw `GlobPatternError` for a trailing `\` or an unclosed or empty class. */
function validate(alternative: string, original: string): void {
  // Scanning for a character no path holds walks every escape and class once.
  findUnescaped(alternative, '\u0000', 0, original);
}

/** Index just past the `]` closing the class that opens at `open`. */
function classEnd(pattern: string, open: number, original: string): number {
  let i = open + 1;
  if (pattern[i] === '^' || pattern[i] === '!') i++;
  const first = i;
  for (; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === ']') {
      if (i === first) throw new GlobPatternError(original);
      return i + 1;
    }
  }
  throw new GlobPatternError(original);
}

/** Split an alternative on unescaped `/`, as code-point arrays, checking it is well formed. */
function splitSegments(alternative: string, original: string): string[][] {
  validate(alternative, original);
  const segments: string[][] = [];
  let current: string[] = [];
  const chars = Array.from(alternative);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] ?? '';
    if (c === '\\') {
      current.push(c, chars[i + 1] ?? '');
      i++;
    } else if (c === '[') {
      // Copy the class whole: a `/` inside it is still part of the class text.
      let j = i + 1;
      if (chars[j] === '^' || chars[j] === '!') j++;
      j++;
      while (j < chars.length && chars[j] !== ']') j += chars[j] === '\\' ? 2 : 1;
      current.push(...chars.slice(i, j + 1));
      i = j;
    } else if (c === '/') {
      segments.push(current);
      current = [];
    } else {
      current.push(c);
    }
  }
  segments.push(current);
  return segments;
}

function isGlobstar(segment: string[]): boolean {
  return segment.length === 2 && segment[0] === '*' && segment[1] === '*';
}

/** Match path components; a whole-component `**` takes zero or more components. */
function matchSegments(pattern: string[][], name: string[][]): boolean {
  const memo = new Map<number, boolean>();
  const width = name.length + 1;
  const go = (pi: number, ni: number): boolean => {
    const key = pi * width + ni;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    const segment = pattern[pi];
    if (segment === undefined) result = ni === name.length;
    else if (isGlobstar(segment)) {
      result = false;
      for (let k = ni; k <= name.length && !result; k++) result = go(pi + 1, k);
    } else {
      const part = name[ni];
      result = part !== undefined && matchComponent(segment, part) && go(pi + 1, ni + 1);
    }
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}

/** One component against one pattern component: `*` (and a `**` inside it), `?`, classes. */
function matchComponent(pattern: string[], text: string[]): boolean {
  let pi = 0;
  let ti = 0;
  let starPi = -1;
  let starTi = 0;
  while (ti < text.length) {
    if (pi < pattern.length) {
      if (pattern[pi] === '*') {
        while (pattern[pi] === '*') pi++;
        starPi = pi;
        starTi = ti;
        continue;
      }
      const next = matchOne(pattern, pi, text[ti] ?? '');
      if (next >= 0) {
        pi = next;
        ti++;
        continue;
      }
    }
    if (starPi < 0) return false;
    starTi++;
    ti = starTi;
    pi = starPi;
  }
  while (pattern[pi] === '*') pi++;
  return pi === pattern.length;
}

/** Match one character at `pi`; the index after the pattern item, or -1. */
function matchOne(pattern: string[], pi: number, char: string): number {
  const at = (i: number): string => pattern[i] ?? '';
  const c = at(pi);
  if (c === '?') return pi + 1;
  if (c === '\\') return at(pi + 1) === char ? pi + 2 : -1;
  if (c !== '[') return c === char ? pi + 1 : -1;
  let i = pi + 1;
  const negated = at(i) === '^' || at(i) === '!';
  if (negated) i++;
  let matched = false;
  const point = codePoint(char);
  // Patterns are validated before matching, so the class is closed.
  while (i < pattern.length && at(i) !== ']') {
    let low = at(i);
    if (low === '\\') low = at(++i);
    i++;
    let high = low;
    if (at(i) === '-' && i + 1 < pattern.length && at(i + 1) !== ']') {
      high = at(i + 1);
      if (high === '\\') {
        high = at(i + 2);
        i++;
      }
      i += 2;
    }
    if (point >= codePoint(low) && point <= codePoint(high)) matched = true;
  }
  return matched !== negated ? i + 1 : -1;
}

function codePoint(char: string): number {
  return char.codePointAt(0) ?? -1;
}
