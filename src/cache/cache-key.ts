/**
 * GitLab's cache key as the runner turns it into a name (docs/cache.md, "Keys"): the default key
 * for an empty one, and the sanitising GitLab's runner applies unless `FF_HASH_CACHE_KEYS` is on
 * (its `cachekey.Sanitize`,
 * [cache/cachekey/cachekey.go](https://gitlab.com/gitlab-org/gitlab-runner/-/blob/main/cache/cachekey/cachekey.go)).
 * Pure: no store, no trace.
 */
import { goQuote } from './go-quote.ts';

export type SanitizedCacheKey =
  | { ok: true; key: string }
  /** `message` is the warning GitLab's runner prints, e.g. `cache key ".." could not be sanitized`. */
  | { ok: false; message: string };

// `%2f`, `%2e` (either case) and `\` in one left-to-right pass, as Go's strings.Replacer does.
const ENCODED = /%2[fF]|%2[eE]|\\/g;
const DECODED: Record<string, string> = {
  '%2f': '/',
  '%2F': '/',
  '%2e': '.',
  '%2E': '.',
  '\\': '/',
};
// Go's unicode.IsSpace: Latin-1 spaces, U+0085 and U+00A0, and the Unicode space separators.
const TRAILING_SPACE =
  /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/u;

/**
 * The key GitLab's runner uses for `cacheKey`: URL-encoded `/` and `.` decoded, `\` made `/`,
 * `.` and `..` resolved inside a virtual root (so no key climbs out of the cache directory),
 * trailing whitespace trimmed from the last segments, empty ones dropped. A key that ends up
 * empty (`..`, `%2e%2e/`) cannot be sanitised.
 */
export function sanitizeCacheKey(cacheKey: string): SanitizedCacheKey {
  if (cacheKey === '') return { ok: true, key: '' };
  const parts = cleanRooted(cacheKey.replace(ENCODED, (m) => DECODED[m] ?? m)).split('/');
  let n = parts.length;
  while (n > 0) {
    const trimmed = (parts[n - 1] ?? '').replace(TRAILING_SPACE, '');
    parts[n - 1] = trimmed;
    if (trimmed !== '') break;
    n--;
  }
  const key = parts.slice(0, n).join('/');
  if (key === '')
    return { ok: false, message: `cache key ${goQuote(cacheKey)} could not be sanitized` };
  return { ok: true, key };
}

/**
 * The key when the job gives none: `<job name>/<ref>`, cleaned as a path inside a virtual root
 * (Go's `path.Join("/", name, ref)[1:]`).
 */
export function defaultCacheKey(jobName: string, ref: string): string {
  return cleanRooted(`${jobName}/${ref}`);
}

/** Go's `path.Clean("/" + p)` without its leading `/`: `.`, `..` and repeated `/` resolved. */
function cleanRooted(path: string): string {
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return out.join('/');
}
