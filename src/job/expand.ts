/**
 * `$VAR` / `${VAR}` expansion with Go's `os.Expand` semantics, as the Go runner expands job
 * variables (docs/runner-protocol.md §10.3). One level only: the caller's `lookup` returns
 * unexpanded values, so `a=$b, b=$c` gives `a=$c`.
 */

/** Shell special parameters: `$*`, `$#`, `$$`, `$@`, `$!`, `$?`, `$-`, `$0`…`$9`. */
function isSpecial(c: string): boolean {
  return '*#$@!?-0123456789'.includes(c);
}

function isNameChar(code: number): boolean {
  return (
    code === 95 ||
    (code >= 48 && code <= 57) ||
    (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122)
  );
}

/** Name after a `$` and how many characters it spans (Go's `getShellName`). */
function shellName(s: string, from: number): { name: string; width: number } {
  const c = s.charAt(from);
  if (c === '{') {
    if (s.length - from > 2 && isSpecial(s.charAt(from + 1)) && s[from + 2] === '}') {
      return { name: s.charAt(from + 1), width: 3 };
    }
    const close = s.indexOf('}', from + 1);
    if (close === from + 1) return { name: '', width: 2 }; // `${}`: bad syntax, eaten
    if (close < 0) return { name: '', width: 1 }; // unterminated `${`: eaten
    return { name: s.slice(from + 1, close), width: close - from + 1 };
  }
  if (isSpecial(c)) return { name: c, width: 1 };
  let end = from;
  while (end < s.length && isNameChar(s.charCodeAt(end))) end++;
  return { name: s.slice(from, end), width: end - from };
}

/**
 * Expand `value`. `lookup` gives a variable's (unexpanded) value, or undefined when unknown,
 * which expands to nothing. `$$` is `$`; positional and special parameters are empty; a `$`
 * not followed by a name stays (`$/x` → `$/x`).
 */
export function expandVariables(value: string, lookup: (name: string) => string | undefined) {
  if (!value.includes('$')) return value;
  let out = '';
  let from = 0;
  for (let j = 0; j < value.length; j++) {
    if (value[j] !== '$' || j + 1 >= value.length) continue;
    out += value.slice(from, j);
    const { name, width } = shellName(value, j + 1);
    if (name === '' && width === 0) out += '$';
    else if (name === '$') out += '$';
    else if (name.length === 1 && isSpecial(name) && name !== '-') out += '';
    else if (name !== '') out += lookup(name) ?? '';
    j += width;
    from = j + 1;
  }
  return out + value.slice(from);
}
