/** Paths as the stage shell's file systems keep them: absolute, `/`-separated. */

/** Collapses `.`, `..` and repeated slashes; the result is absolute (`..` stops at the root). */
export function normalizePath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}
