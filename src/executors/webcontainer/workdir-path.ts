/** Absolute container paths as WebContainer's API takes them: relative to the workdir. */
import { normalizePath } from '../bash/posix-path.ts';

/**
 * `path` relative to `workdir` (`''` for the workdir itself), once `.` and `..` are resolved;
 * null when it lies outside. Both are absolute.
 */
export function workdirRelative(path: string, workdir: string): string | null {
  const absolute = normalizePath(path);
  const root = normalizePath(workdir);
  if (absolute === root) return '';
  const prefix = root === '/' ? '/' : `${root}/`;
  return absolute.startsWith(prefix) ? absolute.slice(prefix.length) : null;
}
