/**
 * Go's `%q` for the strings the cache lines quote (keys), so a warning reads as GitLab's runner
 * prints it: double quotes, `\"` and `\\`, named escapes for `\a\b\f\n\r\t\v`, `\xNN` for the
 * other control bytes and DEL. Printable Unicode stays as it is, as in `strconv.Quote`.
 */
const NAMED: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

export function goQuote(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this escapes
  const escaped = text.replace(/[\x00-\x1f\x7f"\\]/g, (c) => {
    return NAMED[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
  return `"${escaped}"`;
}
