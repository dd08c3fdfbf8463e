/**
 * What `restore_cache` and `archive_cache` do with the payload's `cache[]`, decided before
 * anything runs, as GitLab's runner writes each stage's script before running it
 * (shells/abstract.go: `cacheExtractor`, `archiveCache`; docs/cache.md "Semantics"). Pure: the
 * steps name keys and paths and carry the trace lines written before them; `restoreCache` and
 * `archiveCache` carry them out.
 */
import type { JobCache } from '../gitlab/index.ts';
import { parseBool } from '../job/index.ts';
import { defaultCacheKey, sanitizeCacheKey } from './cache-key.ts';
import { cacheTrace } from './cache-trace.ts';

export interface CachePlanInput {
  /** The payload's `cache[]`, in order. */
  caches: readonly JobCache[];
  /** Expands `$VAR` with the job's variables (docs/runner-protocol.md §10.3). */
  expand: (value: string) => string;
  /** A job variable's value, expanded (`CACHE_FALLBACK_KEY`, `FF_HASH_CACHE_KEYS`). */
  variable: (name: string) => string | undefined;
  /** `job_info.name` and `git_info.ref`: the key of an entry that has none is `<name>/<ref>`. */
  jobName: string;
  ref: string;
}

/** One thing a cache stage does, in trace order. */
export type CacheStep =
  /** Lines the stage script prints before the next step (warnings, skips). */
  | { kind: 'text'; text: string }
  /** Try these keys in order (the entry's key, its fallback keys, `CACHE_FALLBACK_KEY`); the first that extracts wins. */
  | { kind: 'restore'; keys: string[] }
  /** Collect `paths` (and untracked files) and save them under `key`. */
  | { kind: 'archive'; key: string; paths: string[]; untracked: boolean };

export type CacheStagePlan =
  /** No entry has paths or `untracked`: GitLab's runner prints no section for the stage. */
  | { kind: 'skip' }
  | { kind: 'run'; steps: CacheStep[] }
  /**
   * A policy GitLab's runner does not know (after expansion): it cannot write the stage's script,
   * prints nothing and fails the job with `message` (e.g. `unknown cache policy pul for npm`).
   */
  | { kind: 'refused'; message: string };

type Resolved = { key: string; lines: string[] } | { key: null; lines: string[] };

/** `restore_cache`: per entry with paths, its keys to try, unless its policy is `push`. */
export function planCacheRestore(input: CachePlanInput): CacheStagePlan {
  const steps: CacheStep[] = [];
  let any = false;
  for (const cache of input.caches) {
    if (cache.paths.length === 0 && !cache.untracked) continue;
    any = true;
    const main = resolveKey(input, cache.key);
    steps.push(...texts(main.lines));
    if (main.key === null) {
      steps.push(text(cacheTrace.skippingExtraction('empty cache key')));
      continue;
    }
    const policy = policyAllows(input.expand(cache.policy), 'pull');
    if (policy === 'unknown') return refused(input.expand(cache.policy), main.key);
    if (!policy) {
      steps.push(text(cacheTrace.notDownloading(main.key)));
      continue;
    }
    const keys = [main.key];
    const addFallback = (raw: string, resolved: Resolved | null) => {
      if (raw === '' || resolved === null) return;
      steps.push(...texts(resolved.lines));
      if (resolved.key === null) steps.push(text(cacheTrace.skippingExtraction('empty cache key')));
      else keys.push(resolved.key);
    };
    for (const fallback of cache.fallback_keys) {
      // GitLab's runner expands fallback keys twice: once here, once as any key.
      const raw = input.expand(fallback);
      addFallback(raw, raw === '' ? null : resolveKey(input, raw));
    }
    const global = input.variable('CACHE_FALLBACK_KEY') ?? '';
    addFallback(global, global === '' ? null : resolveGlobalFallback(input, global, steps));
    steps.push({ kind: 'restore', keys });
  }
  return any ? { kind: 'run', steps } : { kind: 'skip' };
}

/**
 * `archive_cache` (after a successful job) or `archive_cache_on_failure`: per entry whose `when`
 * matches the outcome and that has paths, its key, unless its policy is `pull`.
 */
export function planCacheArchive(
  input: CachePlanInput & { jobSucceeded: boolean },
): CacheStagePlan {
  const steps: CacheStep[] = [];
  let any = false;
  for (const cache of input.caches) {
    if (!shouldArchive(cache.when, input.jobSucceeded)) continue;
    if (cache.paths.length === 0 && !cache.untracked) continue;
    any = true;
    const resolved = resolveKey(input, cache.key);
    steps.push(...texts(resolved.lines));
    if (resolved.key === null) {
      steps.push(text(cacheTrace.skippingArchiving('empty cache key')));
      continue;
    }
    const policy = policyAllows(input.expand(cache.policy), 'push');
    if (policy === 'unknown') return refused(input.expand(cache.policy), resolved.key);
    if (!policy) {
      steps.push(text(cacheTrace.notUploading(resolved.key)));
      continue;
    }
    steps.push({
      kind: 'archive',
      key: resolved.key,
      paths: [...cache.paths],
      untracked: cache.untracked,
    });
  }
  return any ? { kind: 'run', steps } : { kind: 'skip' };
}

/**
 * GitLab's `newCacheConfig`: the expanded key (or `<name>/<ref>`), sanitised unless
 * `FF_HASH_CACHE_KEYS` is on (then GitLab's runner hashes the key for its file name instead, a
 * detail the store's own encoding replaces). `key: null` is GitLab's "empty cache key".
 */
function resolveKey(input: CachePlanInput, userKey: string): Resolved {
  const raw = userKey === '' ? defaultCacheKey(input.jobName, input.ref) : input.expand(userKey);
  if (parseBool(input.variable('FF_HASH_CACHE_KEYS') ?? '') === true) {
    return raw === '' ? { key: null, lines: [] } : { key: raw, lines: [] };
  }
  const sanitized = sanitizeCacheKey(raw);
  if (!sanitized.ok) return { key: null, lines: [cacheTrace.keyWarning(sanitized.message)] };
  const lines = sanitized.key === raw ? [] : [cacheTrace.sanitized(raw, sanitized.key)];
  return sanitized.key === '' ? { key: null, lines } : { key: sanitized.key, lines };
}

/**
 * `CACHE_FALLBACK_KEY` may not name a protected cache (`…-protected`, trailing dots and spaces
 * ignored): GitLab's server keeps protected caches from unprotected refs by that suffix, and a
 * variable any pipeline can set must not undo it. Refused with a warning, after sanitising.
 */
function resolveGlobalFallback(
  input: CachePlanInput,
  value: string,
  steps: CacheStep[],
): Resolved | null {
  const resolved = resolveKey(input, value);
  if (resolved.key !== null && /-protected$/.test(resolved.key.replace(/[. ]+$/, ''))) {
    // GitLab's runner prints this from inside the key check, before the sanitising warning.
    steps.push(text(cacheTrace.protectedFallback(resolved.key)), ...texts(resolved.lines));
    return null;
  }
  return resolved;
}

/** GitLab's `CheckPolicy`: empty and `pull-push` allow both directions. */
function policyAllows(policy: string, wanted: 'pull' | 'push'): boolean | 'unknown' {
  if (policy === '' || policy === 'pull-push') return true;
  if (policy === 'pull' || policy === 'push') return policy === wanted;
  return 'unknown';
}

/** GitLab's `CacheWhen.ShouldCache`: empty means `on_success`; unknown values never archive. */
function shouldArchive(when: string, jobSucceeded: boolean): boolean {
  if (jobSucceeded) return when === '' || when === 'on_success' || when === 'always';
  return when === 'on_failure' || when === 'always';
}

function refused(policy: string, key: string): CacheStagePlan {
  return { kind: 'refused', message: `unknown cache policy ${policy} for ${key}` };
}

function text(line: string): CacheStep {
  return { kind: 'text', text: line };
}

function texts(lines: string[]): CacheStep[] {
  return lines.map(text);
}
