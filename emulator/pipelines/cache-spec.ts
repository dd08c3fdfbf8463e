/**
 * A job's `cache:` keyword checked as GitLab checks it when it creates a pipeline
 * (`Entry::Caches`, `Entry::Cache`, `Entry::Key` in gitlab's lib/gitlab/ci/config/entry/), with
 * its refusals in GitLab's words. `key: files:` stays unresolved here: its hash needs the
 * repository at the pipeline's commit (`resolveCacheKeys`).
 */
import type { CacheSpec } from '../model.ts';
import { CiConfigError } from './ci-config-error.ts';

/** `key: { files, prefix }` before the files are hashed. */
export interface FilesCacheKey {
  files: string[];
  /** Null when the config gives none: GitLab then uses the cache's index in the job's list. */
  prefix: string | null;
}

export type CacheDefinition = Omit<CacheSpec, 'key'> & { key: string | FilesCacheKey };

/** `Entry::Caches::MULTIPLE_CACHE_LIMIT`. */
export const MAX_CACHES = 4;
const CACHE_KEYS = ['key', 'untracked', 'paths', 'when', 'policy', 'unprotect', 'fallback_keys'];
const WHEN = ['on_success', 'on_failure', 'always'];
/** `Entry::Cache::ALLOWED_POLICY`: unanchored, as GitLab matches it; `$VAR` the runner expands. */
const POLICY = /pull-push|push|pull|\$\w*/;
const MAX_FALLBACK_KEYS = 5;
const MAX_KEY_FILES = 2;

/** The job's caches, or a CiConfigError naming the first thing GitLab would refuse. */
export function cacheDefinitions(value: unknown, jobPath: string): CacheDefinition[] {
  if (value === undefined || value === null) return [];
  const path = `${jobPath}:cache`;
  if (!Array.isArray(value) && !isHash(value)) {
    throw new CiConfigError(path, 'config can only be a hash or an array');
  }
  const entries: unknown[] = [value].flat();
  if (entries.length > MAX_CACHES) {
    throw new CiConfigError(path, `config no more than ${MAX_CACHES} caches can be created`);
  }
  return entries.map((entry) => cacheDefinition(entry, path));
}

function cacheDefinition(entry: unknown, path: string): CacheDefinition {
  if (!isHash(entry)) throw new CiConfigError(path, 'config should be a hash');
  const unknown = Object.keys(entry).filter((key) => !CACHE_KEYS.includes(key));
  if (unknown.length > 0) {
    throw new CiConfigError(path, `config contains unknown keys: ${unknown.join(', ')}`);
  }
  const { policy, when, fallback_keys: fallbackKeys } = entry;
  if (policy !== undefined && policy !== null) {
    if (typeof policy !== 'string') throw new CiConfigError(path, 'policy should be a string');
    if (policy !== '' && !POLICY.test(policy)) {
      throw new CiConfigError(path, 'policy should be a variable or one of: pull-push, push, pull');
    }
  }
  if (when !== undefined && when !== null && (typeof when !== 'string' || !WHEN.includes(when))) {
    throw new CiConfigError(path, `when should be one of: ${WHEN.join(', ')}`);
  }
  const fallback = stringsOrNothing(fallbackKeys, `${path}:fallback_keys`) ?? [];
  if (fallback.length > MAX_FALLBACK_KEYS) {
    // GitLab's own spelling.
    throw new CiConfigError(
      path,
      `fallback keys has to many entries (maximum ${MAX_FALLBACK_KEYS})`,
    );
  }
  return {
    key: cacheKey(entry.key, `${path}:key`),
    untracked: booleanOrNothing(entry.untracked, `${path}:untracked`) ?? false,
    unprotect: booleanOrNothing(entry.unprotect, `${path}:unprotect`) ?? false,
    policy: (policy as string | undefined | null) ?? 'pull-push',
    paths: stringsOrNothing(entry.paths, `${path}:paths`) ?? [],
    when: (when as string | undefined | null) ?? 'on_success',
    fallbackKeys: fallback,
  };
}

/** `Entry::Key`: a string (checked as a file name), or `{ files, prefix }`; absent is `default`. */
function cacheKey(value: unknown, path: string): string | FilesCacheKey {
  if (value === undefined || value === null) return 'default';
  if (typeof value === 'string') return simpleKey(value, path);
  if (!isHash(value)) throw new CiConfigError(path, 'should be a hash, a string or a symbol');
  const unknown = Object.keys(value).filter((key) => key !== 'files' && key !== 'prefix');
  if (unknown.length > 0) {
    throw new CiConfigError(path, `config contains unknown keys: ${unknown.join(', ')}`);
  }
  if (!('files' in value)) throw new CiConfigError(path, 'config missing required keys: files');
  const files = stringsOrNothing(value.files, `${path}:files`);
  if (!files || files.length < 1) {
    throw new CiConfigError(`${path}:files`, 'config requires at least 1 item');
  }
  if (files.length > MAX_KEY_FILES) {
    throw new CiConfigError(
      `${path}:files`,
      `config has too many items (maximum is ${MAX_KEY_FILES})`,
    );
  }
  const prefix = value.prefix;
  if (prefix === undefined || prefix === null) return { files, prefix: null };
  if (typeof prefix !== 'string') {
    throw new CiConfigError(`${path}:prefix`, 'config should be a string or symbol');
  }
  return { files, prefix: simpleKey(prefix, `${path}:prefix`) };
}

/** GitLab's `KeyValidator`: the key names a file on the runner, so no `/`, `.` or `..`. */
function simpleKey(key: string, path: string): string {
  // CGI.unescape: `+` is a space, `%XX` a byte; what is not an escape stays as written.
  const unescaped = key
    .replaceAll('+', ' ')
    .replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  if (unescaped.includes('/')) {
    throw new CiConfigError(path, 'config cannot contain the "/" character');
  }
  if (unescaped === '.' || unescaped === '..') {
    throw new CiConfigError(path, 'config cannot be "." or ".."');
  }
  return key;
}

function stringsOrNothing(value: unknown, path: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new CiConfigError(path, 'config should be an array of strings');
  }
  return value;
}

function booleanOrNothing(value: unknown, path: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new CiConfigError(path, 'config should be a boolean value');
  return value;
}

function isHash(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
