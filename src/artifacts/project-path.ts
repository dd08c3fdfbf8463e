/**
 * Where a job-given path lands relative to the project directory, or that it escapes it. Used
 * for `artifacts:paths`/`exclude` (the Go runner's `findRelativePathInProject`) and for archive
 * entries before anything is written.
 */
import { cleanPath } from './clean-path.ts';

/**
 * The cleaned path relative to `projectDir` (`.` for the directory itself), or `null` when it
 * leaves it (`../x`, `/etc/passwd`, `/builds/p-other`). Relative paths are taken from the
 * project directory; absolute ones must lie inside it. `projectDir` is an absolute path.
 */
export function projectRelative(path: string, projectDir: string): string | null {
  const root = cleanPath(projectDir);
  const absolute = cleanPath(path.startsWith('/') ? path : `${root}/${path}`);
  if (absolute === root) return '.';
  const prefix = root === '/' ? '/' : `${root}/`;
  return absolute.startsWith(prefix) ? absolute.slice(prefix.length) : null;
}
