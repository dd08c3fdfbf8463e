/**
 * One `restore` step of `restore_cache` (docs/cache.md "Restoring"): try the keys in order, as
 * GitLab's runner chains `cache-extractor` calls, and extract the first archive the store has
 * into the project directory with the artifacts' safe extractor, all or nothing: every entry is
 * inflated and checked before any is written. Nothing here fails the job: a missing, unreadable,
 * corrupt or refused archive is GitLab's warning and the next key, and the job goes on without
 * the cache, its workspace as the checkout left it. Only an aborted job stops it.
 */
import {
  extractArtifactArchive,
  type ArtifactProgress,
  type FileChecksum,
  type RawInflater,
} from '../artifacts/index.ts';
import type { Workspace } from '../executors/port.ts';
import type { Clock } from '../platform/clock.ts';
import type { CacheAddress, CacheStore } from './cache-store.ts';
import { cacheProgress } from './cache-progress.ts';
import { cacheTrace } from './cache-trace.ts';
import { failureText } from './failure-text.ts';

/**
 * A cache that unpacks to at most this is held inflated and written in one `writeFiles` (one
 * WebContainer snapshot mount); a larger one is checked whole in a first pass and written in
 * batches in a second, so a tab holds at most this much (twice, with the snapshot's copy).
 */
export const RESTORE_HELD_BYTES = 256 * 1024 * 1024;

export interface RestoreCacheOptions {
  store: Pick<CacheStore, 'open'>;
  /** GitLab's origin and the project; each key completes it into an address. */
  project: Omit<CacheAddress, 'key'>;
  /** From `planCacheRestore`: the entry's key, then its fallbacks, in order. */
  keys: readonly string[];
  /** Where to extract; `writeFiles` and `listFiles` are used. */
  workspace: Pick<Workspace, 'writeFiles' | 'listFiles'>;
  /** Absolute project directory: archives hold paths relative to it. */
  projectDir: string;
  /** Receives trace text (ANSI, `\n`-terminated lines) for the script's stream. */
  line: (text: string) => void;
  /** For throttling `onProgress`. */
  clock: Pick<Clock, 'now'>;
  /** How zip entries inflate: fflate's by default; the CLI passes node:zlib's. */
  inflater?: RawInflater;
  /** Extraction progress, named by the key, at most one report per 100 ms besides the last. */
  onProgress?: (progress: ArtifactProgress) => void;
  signal?: AbortSignal;
}

export interface RestoredCache {
  /** The key whose archive was extracted, or null for a miss. */
  key: string | null;
  files: number;
  bytes: number;
  /** What a hit put in the workspace, for saving it again only if it changed. */
  contents: RestoredContents | null;
}

/**
 * A restored archive's size and its files' checksums, relative to the project directory. GitLab's
 * archiver skips a save when no file is newer than the archive on disk; our workspaces keep no
 * times, so `archiveCache` compares contents with this instead (docs/cache.md).
 */
export interface RestoredContents {
  archiveBytes: number;
  files: ReadonlyMap<string, FileChecksum>;
}

/** Extract the first of `keys` the store holds; rejects only when `signal` is aborted. */
export async function restoreCache(options: RestoreCacheOptions): Promise<RestoredCache> {
  const report = cacheProgress(options);
  for (const key of options.keys) {
    options.signal?.throwIfAborted();
    options.line(cacheTrace.checking(key));
    options.line(cacheTrace.localExtraction());
    try {
      const archive = await options.store.open({ ...options.project, key });
      if (archive === null) {
        options.line(cacheTrace.missing());
        options.line(cacheTrace.extractFailed());
        continue;
      }
      const progress = (p: Omit<ArtifactProgress, 'direction' | 'name' | 'phase' | 'unit'>) =>
        report({ direction: 'download', name: key, phase: 'extracting', unit: 'bytes', ...p });
      const extracted = await extractArtifactArchive({
        workspace: options.workspace,
        projectDir: options.projectDir,
        archive,
        allOrNothing: { heldBytes: RESTORE_HELD_BYTES },
        inflater: options.inflater,
        onProgress: (p) =>
          progress({
            loaded: p.bytes,
            ...(p.bytesTotal !== undefined ? { total: p.bytesTotal } : {}),
            files: { done: p.files, total: p.filesTotal },
            done: false,
          }),
      });
      const files = extracted.files.length;
      progress({
        loaded: extracted.bytes,
        total: extracted.bytes,
        files: { done: files, total: files },
        done: true,
      });
      for (const text of extracted.lines) options.line(text);
      options.line(cacheTrace.extracted());
      const contents = { archiveBytes: archive.size, files: extracted.checksums };
      return { key, files, bytes: extracted.bytes, contents };
    } catch (err) {
      if (options.signal?.aborted) throw err;
      options.line(cacheTrace.fatal(failureText(err)));
      options.line(cacheTrace.extractFailed());
    }
  }
  return { key: null, files: 0, bytes: 0, contents: null };
}
