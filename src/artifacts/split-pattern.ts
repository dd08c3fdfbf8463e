/**
 * doublestar's `SplitPattern`: the literal directory before the first glob character, and the
 * rest. The runner checks the literal part against the project directory before globbing.
 */

/**
 * `../../path/to/meta*\/**` → `{ base: '../../path/to', pattern: 'meta*\/**' }`; without a `/`
 * before the first `*?[{`, base is `.`; a leading `/` gives base `/`. Escaped characters
 * (`\*`) do not count as glob characters.
 */
export function splitPattern(path: string): { base: string; pattern: string } {
  let split = -1;
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === '\\') i++;
    else if (c === '/') split = i;
    else if (c === '*' || c === '?' || c === '[' || c === '{') break;
  }
  if (split === 0) return { base: '/', pattern: path.slice(1) };
  if (split > 0) return { base: path.slice(0, split), pattern: path.slice(split + 1) };
  return { base: '.', pattern: path };
}
