/**
 * The trace lines of GitLab's `restore_cache` and `archive_cache` stages, byte for byte as
 * GitLab's runner prints them with a local cache (no shared cache server), docs/cache.md
 * "Trace lines". Two printers are involved, as in GitLab's runner:
 * - the stage script's own `echo`s (its `ShellWriter`, shells/abstract.go): notices bold green,
 *   warnings yellow *without* a `WARNING: ` prefix;
 * - the helper binary's log lines (`cache-extractor`, `cache-archiver`), see `helperLogLine`.
 * Both come out of the job's shell, so the runner writes them on the script's stream.
 */
import { helperLogLine } from '../artifacts/index.ts';
import { ANSI, notice } from '../job/index.ts';
import { goQuote } from './go-quote.ts';

/** The stage script's `Warningf`: yellow, no `WARNING: ` prefix. */
function shellWarning(text: string): string {
  return `${ANSI.yellow}${text}${ANSI.reset}\n`;
}

export const cacheTrace = {
  sanitized: (raw: string, key: string) =>
    shellWarning(`cache key ${goQuote(raw)} sanitized to ${goQuote(key)}`),
  /** A key sanitising could not save (`cache key "…" could not be sanitized`). */
  keyWarning: (message: string) => shellWarning(message),
  skippingExtraction: (reason: string) => notice(`Skipping cache extraction due to ${reason}`),
  skippingArchiving: (reason: string) => notice(`Skipping cache archiving due to ${reason}`),
  notDownloading: (key: string) => notice(`Not downloading cache ${key} due to policy`),
  notUploading: (key: string) => notice(`Not uploading cache ${key} due to policy`),
  protectedFallback: (key: string) =>
    shellWarning(`CACHE_FALLBACK_KEY ${goQuote(key)} not allowed to end in "-protected"`),

  checking: (key: string) => notice(`Checking cache for ${key}...`),
  localExtraction: () =>
    helperLogLine(
      'info',
      'No URL provided, cache will not be downloaded from shared cache server. Instead a local version of cache will be extracted.',
    ),
  missing: () => helperLogLine('warning', 'Cache file does not exist'),
  /** The helper's fatal line: why an archive could not be read, extracted or written. */
  fatal: (message: string) => helperLogLine('fatal', message),
  extracted: () => notice('Successfully extracted cache'),
  extractFailed: () => shellWarning('Failed to extract cache'),

  creating: (key: string) => notice(`Creating cache ${key}...`),
  noFiles: () => helperLogLine('warning', 'No files to cache.'),
  storedLocally: () =>
    helperLogLine(
      'info',
      'No URL provided, cache will not be uploaded to shared cache server. Cache will be stored only locally.',
    ),
  upToDate: () => helperLogLine('info', 'Archive is up to date!'),
  created: () => notice('Created cache'),
  createFailed: () => shellWarning('Failed to create cache'),
} as const;
