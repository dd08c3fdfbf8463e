/**
 * Go's `path.Clean` for `/`-separated paths: the runner cleans artifact paths this way before
 * matching, so `./out/`, `out//x` and `out/../out` all mean `out`.
 */

/** The shortest equivalent path: no `.`, no empty or trailing segments, `..` resolved. */
export function cleanPath(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
    } else {
      out.push(part);
    }
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}
